"""`IndexState`: the assistant's index as the channels see it: opened once, re-tried while it is missing."""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from assistant import Assistant
from index import IndexUnavailable

__all__ = ["IndexState", "INDEX_ERRORS"]

log = logging.getLogger("vsh.channels")

INDEX_ERRORS: tuple[type[BaseException], ...] = (IndexUnavailable, OSError, ImportError)
"""What opening the index can raise when there is no usable index (every other error is a bug)."""


class IndexState:
    """The assistant's index, opened once; when missing, re-tried at most every `retry_seconds`.

    `get()` raises `index.IndexUnavailable` (whose message says how to rebuild the index) for every error
    in `INDEX_ERRORS`, so that callers handle one exception.
    """

    def __init__(self, assistant: Assistant, retry_seconds: float = 10.0) -> None:
        self.assistant = assistant
        self.retry_seconds = retry_seconds
        self.error = ""
        self._index: Any = None
        self._last_try = -1e9
        self._lock = threading.Lock()

    def get(self) -> Any:
        """The open index. Raises `IndexUnavailable` while there is none."""
        if self._index is not None:
            return self._index
        with self._lock:
            if self._index is not None:
                return self._index
            now = time.monotonic()
            if self.error and now - self._last_try < self.retry_seconds:
                raise IndexUnavailable(self.error)
            self._last_try = now
            try:
                self._index = self.assistant.index
            except INDEX_ERRORS as exc:
                error = exc if isinstance(exc, IndexUnavailable) else IndexUnavailable(_describe(exc))
                self.error = str(error)
                log.warning("index unavailable: %s", self.error)
                raise error from exc
            self.error = ""
            return self._index

    def documents(self) -> list[Any]:
        """The indexed documents (raises `IndexUnavailable`)."""
        idx = self.get()
        docs = getattr(idx, "documents", None)
        return list(docs()) if callable(docs) else []

    @property
    def version(self) -> str:
        return str(getattr(self._index, "version", "") or "")


def _describe(exc: BaseException) -> str:
    detail = str(exc).strip()
    return f"The guidance index could not be opened ({type(exc).__name__}{': ' + detail if detail else ''})."
