"""Search inputs and outputs shared by the index and its callers."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from ingest.models import DocStatus, DocumentMeta, Passage

__all__ = ["SearchFilters", "SearchHit"]


class SearchFilters(BaseModel):
    """Restrict a search. Every field left as None means 'no restriction'."""

    doc_ids: list[str] | None = None
    statuses: list[DocStatus] | None = None
    published_from: date | None = None
    published_to: date | None = None


class SearchHit(BaseModel):
    """One passage found, with its document and scores. `score` is the fused score used for ranking."""

    passage: Passage
    doc: DocumentMeta
    score: float
    dense_score: float | None = None
    keyword_score: float | None = None
    rank: int = 0
