"""Errors of `vsh sync`: a bad sources manifest, and a GOV.UK request that could not be completed."""

from __future__ import annotations

from settings import VshError

__all__ = ["FetchError", "ManifestError", "SyncError"]


class SyncError(VshError):
    """Something `vsh sync` cannot do. `str(error)` is one line saying what and, where it helps, what to do."""


class ManifestError(SyncError):
    """The sources manifest cannot be read: the message names the file and the entry."""


class FetchError(SyncError):
    """A request to GOV.UK failed after its retries (network error, 5xx, 429 for too long, truncated body)."""

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")
