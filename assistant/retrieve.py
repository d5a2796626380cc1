"""Stage 1, retrieve: the question's candidate passages from the index (hybrid search, vocabulary-widened).

The question is embedded once. Keyword search reads the question plus the guidance terms its everyday words
point at (`textkit.vocabulary`: "adopted" -> "previously looked-after"); dense search reads the question as
asked. The index fuses both (reciprocal rank fusion) and returns `CANDIDATES` passages for reranking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from index.models import SearchFilters, SearchHit
from ingest.models import DocumentMeta, Passage
from textkit import raw_words, vocabulary

__all__ = ["CANDIDATES", "Candidate", "Retriever", "retrieve", "widened_query"]

CANDIDATES = 30
"""How many fused candidates the reranker sees."""


class Retriever(Protocol):
    """What the assistant (and its evaluation) needs from an index. `index.GuidanceIndex` satisfies it; unit
    tests pass a deterministic fake (`tests/fakes.py`)."""

    version: str
    manifest: dict[str, Any]

    def embed(self, texts: list[str]) -> np.ndarray: ...

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[SearchHit]: ...

    def search_vector(self, query: str, vector: np.ndarray, k: int = 5) -> list[SearchHit]: ...

    def documents(self) -> list[DocumentMeta]: ...

    def passages(self, doc_id: str) -> list[Passage]: ...

    def passage(self, passage_id: str) -> Passage | None: ...

    def second_similarities(self, query: str, passage_ids: list[str]) -> np.ndarray | None: ...


@dataclass
class Candidate:
    """A retrieved passage with what the later stages need: its search scores and fused rank (0-based)."""

    hit: SearchHit
    rank: int
    relevance: float = 0.0
    """Set by the reranker: estimated probability that this passage answers the question."""
    further: float = 0.0
    """Set by the reranker: how likely this passage is a further point that answers (`assistant.rerank`'s
    further-points model, which also reads the second view); the relevance when there is no second view."""
    second: float | None = None
    """The second-view model's similarity to the question (`index.second_view`), None when there is none."""

    @property
    def passage(self) -> Passage:
        return self.hit.passage

    @property
    def doc(self) -> DocumentMeta:
        return self.hit.doc


def widened_query(question: str) -> str:
    """The question followed by the guidance terms its everyday words point at (for keyword search)."""
    extra = vocabulary().widen(raw_words(question))
    return f"{question} {' '.join(extra)}" if extra else question


def retrieve(retriever: Retriever, question: str, vector: np.ndarray, k: int = CANDIDATES) -> list[Candidate]:
    """The `k` best fused candidates for `question` (already embedded as `vector`), best first."""
    hits = retriever.search_vector(widened_query(question), vector, k)
    return [Candidate(hit=hit, rank=rank) for rank, hit in enumerate(hits)]
