"""Errors raised when the index cannot be used, each saying how to rebuild it."""

from __future__ import annotations

__all__ = ["IndexDamagedError", "IndexMissingError", "IndexUnavailable", "REBUILD_HINT"]

REBUILD_HINT = "Rebuild it with `vsh ingest PATH...` (for example `vsh ingest ../shared/corpus`) or `make run`."


class IndexUnavailable(Exception):
    """The index cannot be loaded. The message names the data directory and how to rebuild."""


class IndexMissingError(IndexUnavailable):
    """No index has been built in the data directory yet."""


class IndexDamagedError(IndexUnavailable):
    """The index on disk is incomplete or inconsistent."""
