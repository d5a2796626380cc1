"""Every vector a snapshot holds, computed once at ingest and reused while the text is unchanged.

A snapshot holds three kinds of vectors, all from the same model: one per passage (`index.search.embedding_text`),
one per sentence unit ("heading: sentence", `index.units`) and one per distinct heading. Each is the model's
vector of one text, so one `VectorBank` keyed by (model, text) serves all three: the vectors of the live
snapshot are put in the bank, and only texts the bank lacks are embedded, in one bulk call sorted by length
(short sentences are batched together, which is what makes embedding them cheap). The passages' second-view
vectors (another model's, `index.second_view`) are reused the same way, through a bank of their own.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.store import Snapshot
from index.texts import embedding_text
from index.units import UnitTable, passage_units, unit_embedding_text
from ingest.models import Passage

__all__ = ["SnapshotVectors", "VectorBank", "vector_key", "snapshot_vectors"]

Encode = Callable[[list[str]], np.ndarray]
"""Bulk embedding: texts -> L2-normalised float32 vectors, one row each."""


def vector_key(model: str, text: str) -> str:
    """The bank key of `text` embedded by `model`."""
    return hashlib.sha1(f"{model}\n{text}".encode()).hexdigest()


class VectorBank:
    """Vectors by (model, text) for reuse across snapshots."""

    def __init__(self, model: str) -> None:
        self.model = model
        self._vectors: dict[str, np.ndarray] = {}

    def __contains__(self, text: str) -> bool:
        return vector_key(self.model, text) in self._vectors

    def __len__(self) -> int:
        return len(self._vectors)

    def get(self, text: str) -> np.ndarray:
        return self._vectors[vector_key(self.model, text)]

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        for text, vector in zip(texts, vectors, strict=True):
            self._vectors[vector_key(self.model, text)] = np.asarray(vector, dtype=np.float32)

    def add_snapshot(self, snapshot: Snapshot) -> None:
        """Every vector of `snapshot` (nothing when it was embedded by another model)."""
        if snapshot.model != self.model or not len(snapshot.vectors):
            return
        self.put([embedding_text(p) for p in snapshot.passages], snapshot.vectors)
        texts: list[str] = []
        for row, passage in enumerate(snapshot.passages):
            units = snapshot.units.of(row)
            texts += [unit_embedding_text(passage, unit) for unit in units.texts]
        self.put(texts, snapshot.units.vectors)
        self.put(snapshot.headings, snapshot.heading_vectors)


@dataclass
class SnapshotVectors:
    """The vectors of one snapshot, and how many texts of each kind were embedded now or reused."""

    passages: np.ndarray
    units: UnitTable
    headings: list[str]
    heading_vectors: np.ndarray
    embedded_passages: int = 0
    reused_passages: int = 0
    embedded_units: int = 0
    reused_units: int = 0


def snapshot_vectors(passages: Sequence[Passage], bank: VectorBank, encode: Encode, dimension: int) -> SnapshotVectors:
    """Passage, unit and heading vectors of `passages`, embedding (in one call to `encode`) only the texts the
    bank lacks; the new vectors are added to the bank."""
    passage_texts = [embedding_text(p) for p in passages]
    units = [passage_units(p) for p in passages]
    unit_texts = [unit_embedding_text(p, unit) for p, pairs in zip(passages, units, strict=True) for unit, _ in pairs]
    headings = sorted({p.section_path[-1] for p in passages if p.section_path})
    missing = [t for t in dict.fromkeys([*passage_texts, *unit_texts, *headings]) if t not in bank]
    if missing:
        bank.put(missing, encode(missing))
    new = set(missing)

    def matrix(texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, dimension), dtype=np.float32)
        return np.stack([bank.get(t) for t in texts]).astype(np.float32, copy=False)

    offsets = np.zeros(len(passages) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(pairs) for pairs in units])
    table = UnitTable(
        offsets=offsets,
        texts=[unit for pairs in units for unit, _ in pairs],
        paragraphs=[number for pairs in units for _, number in pairs],
        vectors=matrix(unit_texts),
    )
    embedded_passages = sum(1 for t in passage_texts if t in new)
    embedded_units = sum(1 for t in unit_texts if t in new)
    return SnapshotVectors(
        passages=matrix(passage_texts),
        units=table,
        headings=headings,
        heading_vectors=matrix(headings),
        embedded_passages=embedded_passages,
        reused_passages=len(passage_texts) - embedded_passages,
        embedded_units=embedded_units,
        reused_units=len(unit_texts) - embedded_units,
    )
