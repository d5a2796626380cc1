"""`WriteBehindQueue`: records that could not be written yet, kept in order and retried.

A failed write is logged, counted in `vsh_storage_errors_total` and queued (bounded: when full, the oldest
record is dropped, logged and counted in `vsh_storage_dropped_total`; `vsh_storage_pending` is the queue
length). `flush()` writes queued records in order and stops at the first connection failure; a record the
database refuses for good (a duplicate, or content it cannot store) is dropped, logged and counted as dropped,
so that it never holds up the records behind it. `start(interval)` runs `flush()` periodically in a daemon
thread, `stop()` ends that thread.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from prometheus_client import Counter, Gauge
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, SQLAlchemyError

from storage.models import utcnow

__all__ = ["WriteBehindQueue", "Pending", "STORAGE_ERRORS", "STORAGE_DROPPED", "STORAGE_PENDING"]

log = logging.getLogger("vsh.db")

STORAGE_ERRORS = Counter("vsh_storage_errors_total", "Failed database operations (records are queued).", ["operation"])
STORAGE_DROPPED = Counter("vsh_storage_dropped_total", "Queued records dropped because the retry queue was full.")
STORAGE_PENDING = Gauge("vsh_storage_pending", "Records waiting in the in-memory retry queue.")
for _op in ("transcript", "feedback", "flush", "read", "claim"):
    STORAGE_ERRORS.labels(operation=_op)  # export zeros from the start


@dataclass
class Pending:
    """One record waiting to be written: a 'transcript' or 'feedback' row."""

    kind: str
    row: dict[str, Any]
    attempts: int = 0
    queued_at: datetime = field(default_factory=utcnow)


class WriteBehindQueue:
    """Thread-safe, bounded, ordered. `write(kind, row)` is the repository's insert."""

    def __init__(
        self, write: Callable[[str, dict[str, Any]], object], where: Callable[[], str], max_pending: int
    ) -> None:
        self._write = write
        self._where = where  # the database, for logs (password masked)
        self._items: deque[Pending] = deque()
        self._max = max_pending
        self._lock = threading.Lock()  # guards _items
        self._flush_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.errors = 0
        self.dropped = 0

    def __len__(self) -> int:
        return len(self._items)

    def rows(self, kind: str) -> list[dict[str, Any]]:
        """A snapshot of the queued rows of one kind, oldest first."""
        with self._lock:
            return [p.row for p in self._items if p.kind == kind]

    def defer(self, item: Pending, operation: str, exc: BaseException) -> None:
        """A write failed: log and count it, then queue the record for retry."""
        self.errors += 1
        STORAGE_ERRORS.labels(operation=operation).inc()
        log.error(
            "storage %s failed on %s (%s: %s); queued for retry (%d pending)",
            operation,
            self._where(),
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
            len(self) + 1,
        )
        self.put(item)

    def put(self, item: Pending) -> None:
        """Queue a record behind the others (dropping the oldest when full)."""
        with self._lock:
            if len(self._items) >= self._max:
                lost = self._items.popleft()
                self.dropped += 1
                STORAGE_DROPPED.inc()
                log.error("retry queue full (%d): dropped a queued %s", self._max, lost.kind)
            self._items.append(item)
            STORAGE_PENDING.set(len(self._items))

    def flush(self) -> int:
        """Write queued records in order; stop at the first connection failure. Returns how many landed."""
        if not self._items or not self._flush_lock.acquire(blocking=False):
            return 0
        written = 0
        try:
            while True:
                with self._lock:
                    if not self._items:
                        break
                    item = self._items[0]
                try:
                    self._write(item.kind, item.row)
                except (IntegrityError, DataError) as exc:
                    # permanent (a duplicate or orphan, or content the database refuses): retrying would block
                    # every record behind it for ever
                    reason = str(exc.orig).splitlines()[0] if exc.orig is not None and str(exc.orig) else ""
                    log.error("dropping queued %s the database refuses: %s %s", item.kind, type(exc).__name__, reason)
                    STORAGE_ERRORS.labels(operation="flush").inc()
                    self.dropped += 1
                    STORAGE_DROPPED.inc()
                except (DBAPIError, SQLAlchemyError, OSError) as exc:
                    item.attempts += 1
                    self.errors += 1
                    STORAGE_ERRORS.labels(operation="flush").inc()
                    log.warning("storage still unavailable (%s); %d pending", type(exc).__name__, len(self))
                    break
                else:
                    written += 1
                with self._lock:
                    if self._items and self._items[0] is item:
                        self._items.popleft()
                    STORAGE_PENDING.set(len(self._items))
        finally:
            self._flush_lock.release()
        if written:
            log.info("flushed %d queued records (%d pending)", written, len(self))
        return written

    def start(self, interval: float = 5.0) -> None:
        """Flush every `interval` seconds in a daemon thread (once; later calls do nothing)."""
        if self._thread is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.flush()
                except Exception:  # pragma: no cover - never let the thread die
                    log.exception("periodic flush failed")

        self._thread = threading.Thread(target=loop, name="vsh-store-flusher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the periodic flush thread (if running)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
