"""What the routes call: the shared assistant, the index state, conversations, the answer cache, storage.

Concurrency: at most `compute_slots` questions run through the assistant at once (default: the CPU count,
at most 4) so a burst queues instead of thrashing the embedding model; concurrent requests for the same
uncached key wait for the one already computing it (single flight).

Answer cache: an LRU (default 512 entries) keyed by the normalised *redacted* question plus the
conversation context (the previous turn's resolved question, '' for a first question). A hit returns a
copy of the earlier Answer with this request's conversation id, redaction notice and latency, and still
stores a transcript, so repeated questions are cheap but every exchange is recorded.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from assistant import Answer, Assistant, Conversation
from assistant.redaction import redact
from bots.web.metrics import ANSWER_SECONDS, ANSWERS, CACHE_HITS, DECLINES
from settings import Settings
from storage import StorageError, TranscriptStore

__all__ = ["AskService", "IndexState", "IndexMissing", "UnknownConversation", "Exchange"]

log = logging.getLogger("vsh.web")

REBUILD_HINT = "The guidance index is not available. Build it with `vsh ingest` (or `make run`) and try again."


class IndexMissing(RuntimeError):
    """No usable index: the message says how to rebuild it."""


class UnknownConversation(KeyError):
    """A conversation id that this service never issued (or that has no stored turns)."""


def _index_errors() -> tuple[type[BaseException], ...]:
    try:
        from index import IndexUnavailable

        return (IndexUnavailable, FileNotFoundError, ImportError, OSError)
    except ImportError:
        return (FileNotFoundError, ImportError, OSError)


class IndexState:
    """The assistant's index, opened once; when missing, re-tried at most every `retry_seconds`."""

    def __init__(self, assistant: Assistant, retry_seconds: float = 10.0) -> None:
        self.assistant = assistant
        self.retry_seconds = retry_seconds
        self.error = ""
        self._index: Any = None
        self._last_try = -1e9
        self._lock = threading.Lock()

    def get(self) -> Any:
        if self._index is not None:
            return self._index
        with self._lock:
            if self._index is not None:
                return self._index
            now = time.monotonic()
            if self.error and now - self._last_try < self.retry_seconds:
                raise IndexMissing(self.error)
            self._last_try = now
            try:
                self._index = self.assistant.index
            except _index_errors() as exc:
                msg = str(exc).strip() or REBUILD_HINT
                if "ingest" not in msg and "rebuild" not in msg.lower():
                    msg = f"{msg} {REBUILD_HINT}"
                self.error = msg
                log.warning("index unavailable: %s", msg)
                raise IndexMissing(msg) from exc
            self.error = ""
            return self._index

    def documents(self) -> list[Any]:
        idx = self.get()
        docs = getattr(idx, "documents", None)
        return list(docs()) if callable(docs) else []

    @property
    def version(self) -> str:
        return str(getattr(self._index, "version", "") or "")


@dataclass
class Exchange:
    answer: Answer
    conversation_id: str
    transcript_id: str
    cached: bool = False


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


class AskService:
    """One per app: shared by every request (thread-safe; the routes call it from the threadpool)."""

    def __init__(
        self,
        settings: Settings,
        assistant: Assistant,
        store: TranscriptStore,
        *,
        answer_cache_size: int = 512,
        conversation_cache_size: int = 2048,
        channel: str = "web",
        compute_slots: int | None = None,
    ) -> None:
        self.settings = settings
        self.assistant = assistant
        self.store = store
        self.index = IndexState(assistant)
        self.channel = channel
        self._lock = threading.Lock()
        self._answers: OrderedDict[tuple[str, str], tuple[Answer, str]] = OrderedDict()
        self._answer_cache_size = answer_cache_size
        self._conversations: OrderedDict[str, Conversation] = OrderedDict()
        self._conversation_cache_size = conversation_cache_size
        slots = compute_slots or max(1, min(4, os.cpu_count() or 1))
        self._compute = threading.BoundedSemaphore(slots)
        self._inflight: dict[tuple[str, str], threading.Event] = {}

    # --- conversations ----------------------------------------------------------------------------

    def conversation(self, conversation_id: str) -> Conversation:
        """The conversation (memory first, then storage). Unknown -> UnknownConversation."""
        with self._lock:
            conv = self._conversations.get(conversation_id)
            if conv is not None:
                self._conversations.move_to_end(conversation_id)
                return conv.model_copy(deep=True)
        try:
            stored = self.store.conversation(conversation_id)
        except StorageError as exc:
            # the history is unreachable: answer without it rather than fail
            log.error("conversation history unavailable (%s); answering without context", exc)
            return Conversation(id=conversation_id)
        if stored is None:
            raise UnknownConversation(conversation_id)
        return stored

    def _remember(self, conv: Conversation) -> None:
        with self._lock:
            self._conversations[conv.id] = conv
            self._conversations.move_to_end(conv.id)
            while len(self._conversations) > self._conversation_cache_size:
                self._conversations.popitem(last=False)

    # --- asking -----------------------------------------------------------------------------------

    def ask(self, question: str, conversation_id: str | None = None) -> Exchange:
        """Answer, remember the turn, store the transcript. Raises IndexMissing / UnknownConversation."""
        self.index.get()
        conv = self.conversation(conversation_id) if conversation_id else Conversation()
        t0 = time.perf_counter()
        red = redact(question.strip())
        key = (_normalise(red.text), (conv.last.resolved_question or conv.last.question) if conv.last else "")
        cached = self._cached(key)
        mine: threading.Event | None = None
        if cached is None and self._answer_cache_size > 0:
            with self._lock:
                waiting = self._inflight.get(key)
                if waiting is None:
                    mine = self._inflight[key] = threading.Event()
            if waiting is not None:  # someone is computing this very answer: wait for it
                waiting.wait(timeout=120)
                cached = self._cached(key)
        if cached is not None:
            CACHE_HITS.inc()
            prior, resolved = cached
            answer = prior.model_copy(deep=True)
            answer.redactions = list(red.kinds)
            answer.personal_data_notice = red.notice
            answer.conversation_id = conv.id
            conv.add(answer, resolved_question=resolved)
            answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
        else:
            try:
                with self._compute:
                    answer = self.assistant.ask(question, conv)
                resolved = conv.last.resolved_question if conv.last else answer.question
                if self._answer_cache_size > 0:
                    with self._lock:
                        self._answers[key] = (answer.model_copy(deep=True), resolved)
                        while len(self._answers) > self._answer_cache_size:
                            self._answers.popitem(last=False)
            finally:
                if mine is not None:
                    with self._lock:
                        if self._inflight.get(key) is mine:
                            del self._inflight[key]
                    mine.set()
        answer.conversation_id = conv.id
        self._remember(conv)
        ANSWER_SECONDS.labels(channel=self.channel).observe(time.perf_counter() - t0)
        ANSWERS.labels(channel=self.channel).inc()
        if answer.declined:
            DECLINES.labels(channel=self.channel).inc()
        transcript_id = self.store.record(
            answer, channel=self.channel, conversation_id=conv.id, resolved_question=resolved
        )
        return Exchange(answer=answer, conversation_id=conv.id, transcript_id=transcript_id, cached=cached is not None)

    def _cached(self, key: tuple[str, str]) -> tuple[Answer, str] | None:
        if self._answer_cache_size <= 0:
            return None
        with self._lock:
            hit = self._answers.get(key)
            if hit is not None:
                self._answers.move_to_end(key)
            return hit

    def feedback(self, transcript_id: str, helpful: bool, comment: str | None) -> None:
        """Store feedback (the comment is redacted). Unknown transcript -> KeyError."""
        clean = redact(comment.strip()).text if comment and comment.strip() else None
        self.store.add_feedback(transcript_id, helpful, clean, channel=self.channel)
