"""`IndexState`: the assistant's index as the channels see it: opened once, re-tried while it is missing, and
swapped for a newer snapshot when one is written (a re-ingest by this or another process).

Replicas (several `vsh serve` processes sharing one data directory) each notice a new snapshot on their own:
every `settings.index_reload_s` seconds a request reads the `CURRENT` pointer (`index.store.current_version`,
one small file read); when it names another version, a background thread loads the new snapshot while the old
one goes on answering, then hands it to the assistant (`Assistant.use_index`). A snapshot that cannot be
loaded (being pruned, damaged) is logged and tried again at the next check; the old one stays in use.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from assistant import Assistant
from index import IndexUnavailable
from index.store import current_version

__all__ = ["IndexState", "INDEX_ERRORS"]

log = logging.getLogger("vsh.channels")

INDEX_ERRORS: tuple[type[BaseException], ...] = (IndexUnavailable, OSError, ImportError)
"""What opening the index can raise when there is no usable index (every other error is a bug)."""

_RELOAD_LOCK = threading.Lock()
"""One reload at a time in a process (the web and Slack services share one assistant)."""


class IndexState:
    """The assistant's index, opened once; when missing, re-tried at most every `retry_seconds`; replaced by
    a newer snapshot (checked at most every `reload_seconds`, 0 = never; default `settings.index_reload_s`).

    `get()` raises `index.IndexUnavailable` (whose message says how to rebuild the index) for every error
    in `INDEX_ERRORS`, so that callers handle one exception.
    """

    def __init__(self, assistant: Assistant, retry_seconds: float = 10.0, reload_seconds: float | None = None) -> None:
        self.assistant = assistant
        self.retry_seconds = retry_seconds
        self.reload_seconds = (
            float(getattr(getattr(assistant, "settings", None), "index_reload_s", 0.0) or 0.0)
            if reload_seconds is None
            else reload_seconds
        )
        self.error = ""
        self._opened = False
        self._last_try = -1e9
        self._last_check = time.monotonic()
        self._lock = threading.Lock()
        self._reloader: threading.Thread | None = None

    def get(self) -> Any:
        """The open index. Raises `IndexUnavailable` while there is none."""
        if self._opened:
            self._maybe_reload()
            return self.assistant.index
        with self._lock:
            if self._opened:
                return self.assistant.index
            now = time.monotonic()
            if self.error and now - self._last_try < self.retry_seconds:
                raise IndexUnavailable(self.error)
            self._last_try = now
            try:
                index = self.assistant.index
            except INDEX_ERRORS as exc:
                error = exc if isinstance(exc, IndexUnavailable) else IndexUnavailable(_describe(exc))
                self.error = str(error)
                log.warning("index unavailable: %s", self.error)
                raise error from exc
            self.error = ""
            self._opened = True
            self._last_check = time.monotonic()
            return index

    def documents(self) -> list[Any]:
        """The indexed documents (raises `IndexUnavailable`)."""
        idx = self.get()
        docs = getattr(idx, "documents", None)
        return list(docs()) if callable(docs) else []

    @property
    def version(self) -> str:
        return str(getattr(self.assistant.index, "version", "") or "") if self._opened else ""

    # --- reloading --------------------------------------------------------------------------------

    def _maybe_reload(self) -> None:
        if self.reload_seconds <= 0:
            return
        now = time.monotonic()
        if now - self._last_check < self.reload_seconds:
            return
        with self._lock:
            if now - self._last_check < self.reload_seconds or (self._reloader and self._reloader.is_alive()):
                return
            self._last_check = now
            index = self.assistant.index
            data_dir = getattr(index, "data_dir", None)
            if data_dir is None:
                return  # an index built in memory (tests): nothing on disk to follow
            latest = current_version(data_dir)
            if not latest or latest == getattr(index, "version", ""):
                return
            self._reloader = threading.Thread(target=self.reload, name="index-reload", daemon=True)
            self._reloader.start()

    def reload(self) -> bool:
        """Load the live snapshot and hand it to the assistant if it is newer than the one in use (blocking;
        `get()` runs it in a background thread). Returns True when the index was swapped."""
        with _RELOAD_LOCK:
            current: Any = self.assistant.index
            data_dir = getattr(current, "data_dir", None)
            if data_dir is None:
                return False
            latest = current_version(data_dir)
            if not latest or latest == getattr(current, "version", ""):
                return False  # nothing new, or another service of this process swapped it already
            started = time.perf_counter()
            try:
                fresh = type(current).open(self.assistant.settings)
            except Exception as exc:  # being pruned, damaged, a model gone: keep answering from the old one
                log.warning("index %s could not be loaded (%s); still answering from %s", latest, exc, current.version)
                return False
            self.assistant.use_index(fresh)
            log.info("index swapped: %s -> %s in %.1f s", current.version, fresh.version, time.perf_counter() - started)
            return True


def _describe(exc: BaseException) -> str:
    detail = str(exc).strip()
    return f"The guidance index could not be opened ({type(exc).__name__}{': ' + detail if detail else ''})."
