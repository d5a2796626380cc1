"""Sliding-window rate limits per key, e.g. a client address or an account (in memory, per process)."""

from __future__ import annotations

import math
import threading
import time
from collections import deque

__all__ = ["SlidingWindowLimiter"]


class SlidingWindowLimiter:
    """At most `limit` hits per `window` seconds per key. `limit <= 0` disables the limit."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 50_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> float:
        """Record a hit. Returns 0 when allowed, else the seconds to wait before retrying."""
        return self._hit(key, now, record=True)

    def wait(self, key: str, now: float | None = None) -> float:
        """The seconds `key` must wait (0 when it is under the limit), without recording anything."""
        return self._hit(key, now, record=False)

    def record(self, key: str, now: float | None = None) -> None:
        """Count one event of `key` (e.g. a failed login) even when it is over the limit already."""
        if self.limit <= 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            self._queue(key, now).append(now)

    def clear(self, key: str) -> None:
        """Forget every event of `key` (e.g. after a successful login)."""
        with self._lock:
            self._hits.pop(key, None)

    def _queue(self, key: str, now: float) -> deque[float]:
        q = self._hits.get(key)
        if q is None:
            if len(self._hits) >= self.max_keys:
                self._prune(now)
            q = self._hits.setdefault(key, deque())
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def _hit(self, key: str, now: float | None, *, record: bool) -> float:
        if self.limit <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            q = self._queue(key, now)
            if len(q) >= self.limit:
                return max(0.001, q[0] + self.window - now)
            if record:
                q.append(now)
            return 0.0

    @staticmethod
    def retry_after_header(wait: float) -> str:
        return str(max(1, math.ceil(wait)))

    def _prune(self, now: float) -> None:
        for k in [k for k, q in self._hits.items() if not q or q[-1] <= now - self.window]:
            del self._hits[k]
