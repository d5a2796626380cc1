"""`AnswerCache`: an LRU of answers with single flight, so a repeated question is answered once.

Keys are a digest of the question exactly as asked (stripped) plus the conversation context (the previous
turn's resolved question, '' for a first question). So the channels redact each question once (the assistant
does it): the same text gives the same redaction, and a cached answer's redacted question and notice are right
for the repeat too; and no question text is kept in the keys. Concurrent requests for an uncached key wait for
the one already computing it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from assistant import Answer

__all__ = ["AnswerCache", "cache_key"]


def cache_key(question: str, context: str) -> str:
    """The cache key of `question` asked after `context` (a digest: no question text is kept)."""
    return hashlib.sha256(f"{question.strip()}\x00{context}".encode()).hexdigest()


class AnswerCache:
    """Thread-safe. `size` 0 turns the cache off (every question runs the pipeline)."""

    def __init__(self, size: int = 512, wait_seconds: float = 120.0) -> None:
        self.size = size
        self.wait_seconds = wait_seconds
        self._lock = threading.Lock()
        self._answers: OrderedDict[str, tuple[Answer, str]] = OrderedDict()
        self._inflight: dict[str, threading.Event] = {}

    def get(self, key: str) -> tuple[Answer, str] | None:
        """(answer, resolved question) cached for `key`, or None."""
        if self.size <= 0:
            return None
        with self._lock:
            hit = self._answers.get(key)
            if hit is not None:
                self._answers.move_to_end(key)
            return hit

    def put(self, key: str, answer: Answer, resolved: str) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._answers[key] = (answer.model_copy(deep=True), resolved)
            while len(self._answers) > self.size:
                self._answers.popitem(last=False)

    def get_or_compute(self, key: str, compute: Callable[[], tuple[Answer, str]]) -> tuple[tuple[Answer, str], bool]:
        """((answer, resolved), cached): the cached entry, or `compute()` run once for concurrent callers.

        A cached answer is the stored object: copy it before changing it.
        """
        hit = self.get(key)
        mine: threading.Event | None = None
        if hit is None and self.size > 0:
            with self._lock:
                waiting = self._inflight.get(key)
                if waiting is None:
                    mine = self._inflight[key] = threading.Event()
            if waiting is not None:  # someone is computing this very answer: wait for it
                waiting.wait(timeout=self.wait_seconds)
                hit = self.get(key)
        if hit is not None:
            return hit, True
        try:
            answer, resolved = compute()
            self.put(key, answer, resolved)
            return (answer, resolved), False
        finally:
            if mine is not None:
                with self._lock:
                    if self._inflight.get(key) is mine:
                        del self._inflight[key]
                mine.set()
