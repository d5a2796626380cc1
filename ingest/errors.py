"""The one error ingest raises for a file it cannot read."""

from __future__ import annotations

from pathlib import Path

from settings import VshError

__all__ = ["IngestError"]


class IngestError(VshError):
    """A file could not be ingested. `str(error)` is a one-line message naming the file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")
