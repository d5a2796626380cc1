"""Errors raised when the index cannot be used; each carries how to rebuild it as its `hint`."""

from __future__ import annotations

from settings import VshError

__all__ = ["IndexDamagedError", "IndexMissingError", "IndexUnavailable", "REBUILD_HINT"]

REBUILD_HINT = "Rebuild it with `vsh ingest PATH...` (for example `vsh ingest ../shared/corpus`) or `make run`."
"""How to rebuild the index: written here only; every channel shows it through `IndexUnavailable.hint`."""


class IndexUnavailable(VshError):
    """The index cannot be loaded. The message names the data directory; `str()` adds how to rebuild."""

    hint = REBUILD_HINT


class IndexMissingError(IndexUnavailable):
    """No index has been built in the data directory yet."""


class IndexDamagedError(IndexUnavailable):
    """The index on disk is incomplete or inconsistent."""
