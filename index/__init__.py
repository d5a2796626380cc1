"""Embed passages and search them: faiss (dense) + BM25 (keyword), fused, persisted atomically."""

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
