"""Embed passages and search them: faiss (dense) + BM25 (keyword), fused, persisted atomically.

The names below are imported on first use, so that a serving process (which searches) does not import the
ingest machinery (parsers, the embedding model, the ONNX exporter) that only `ingest_paths` needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from index.build import DocReport, FailedFile, IngestReport, ingest_paths
    from index.errors import IndexDamagedError, IndexMissingError, IndexUnavailable
    from index.models import SearchFilters, SearchHit
    from index.search import GuidanceIndex

__all__ = [
    "DocReport",
    "FailedFile",
    "GuidanceIndex",
    "IndexDamagedError",
    "IndexMissingError",
    "IndexUnavailable",
    "IngestReport",
    "SearchFilters",
    "SearchHit",
    "ingest_paths",
]

_HOMES = {
    "DocReport": "index.build",
    "FailedFile": "index.files",
    "IngestReport": "index.build",
    "ingest_paths": "index.build",
    "IndexDamagedError": "index.errors",
    "IndexMissingError": "index.errors",
    "IndexUnavailable": "index.errors",
    "SearchFilters": "index.models",
    "SearchHit": "index.models",
    "GuidanceIndex": "index.search",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'index' has no attribute {name!r}")
    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
