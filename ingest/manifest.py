"""Metadata overrides: `ingest/sources.toml` for the official documents, and `<file>.meta.toml` sidecars."""

from __future__ import annotations

import fnmatch
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["SourceManifest", "ALLOWED_FIELDS"]

DEFAULT_MANIFEST = Path(__file__).with_name("sources.toml")
ALLOWED_FIELDS = {
    "doc_id",
    "title",
    "short_title",
    "publisher",
    "published",
    "published_label",
    "status",
    "source_url",
}


@dataclass
class SourceManifest:
    """Entries matched by file name (glob, case-insensitive) or sha256; a sidecar beside a file wins."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def default(cls) -> SourceManifest:
        """The manifest shipped with the project."""
        return cls.load(DEFAULT_MANIFEST)

    @classmethod
    def load(cls, path: Path) -> SourceManifest:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        return cls(entries=list(data.get("source", [])))

    def lookup(self, path: Path, sha256: str) -> dict[str, Any]:
        """Overrides for this file: manifest entry (by sha256 or name), then its sidecar on top."""
        found: dict[str, Any] = {}
        name = path.name.lower()
        for entry in self.entries:
            if entry.get("sha256") == sha256 or (
                "match" in entry and fnmatch.fnmatch(name, str(entry["match"]).lower())
            ):
                found = {key: value for key, value in entry.items() if key in ALLOWED_FIELDS}
                break
        sidecar = path.with_name(path.name + ".meta.toml")
        if sidecar.is_file():
            with sidecar.open("rb") as handle:
                found.update({k: v for k, v in tomllib.load(handle).items() if k in ALLOWED_FIELDS})
        return found
