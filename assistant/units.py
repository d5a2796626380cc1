"""Sentence units of passages and their vectors: stored in the index at ingest, embedded here only as a fallback.

The rules (what a unit is, what it is embedded as) live in `index.units`, where ingest applies them and stores
every passage's units and vectors in the snapshot; `GuidanceIndex.units` and `GuidanceIndex.heading_vectors`
return them. `UnitSource` reads them from the retriever and, for a retriever that stores none (the test
doubles) or a passage it does not know, embeds them itself by the same rules, once, into an LRU cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from index.units import PassageUnits, paragraph_spans, passage_units, unit_embedding_text
from ingest.models import Passage

__all__ = ["PassageUnits", "UnitCache", "UnitSource", "paragraph_spans", "passage_units"]


class UnitCache:
    """Thread-safe LRU of `PassageUnits` by passage id; missing passages are embedded together in one call."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], size: int = 8192) -> None:
        self._embed = embed
        self._size = size
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, PassageUnits] = OrderedDict()

    def get(self, passages: Iterable[Passage]) -> dict[str, PassageUnits]:
        """Units of every passage given, embedding those not cached yet."""
        wanted = list({p.passage_id: p for p in passages}.values())
        found: dict[str, PassageUnits] = {}
        with self._lock:
            for p in wanted:
                if p.passage_id in self._cache:
                    self._cache.move_to_end(p.passage_id)
                    found[p.passage_id] = self._cache[p.passage_id]
        missing = [p for p in wanted if p.passage_id not in found]
        if missing:
            texts = {p.passage_id: passage_units(p) for p in missing}
            flat = [unit_embedding_text(p, u) for p in missing for u, _ in texts[p.passage_id]]
            vectors = np.asarray(self._embed(flat), dtype=np.float32)
            start = 0
            with self._lock:
                for p in missing:
                    n = len(texts[p.passage_id])
                    units = texts[p.passage_id]
                    entry = PassageUnits([u for u, _ in units], [n_ for _, n_ in units], vectors[start : start + n])
                    start += n
                    found[p.passage_id] = entry
                    self._cache[p.passage_id] = entry
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        return found

    def __len__(self) -> int:
        return len(self._cache)


class UnitSource:
    """Units and heading vectors of passages: the retriever's stored ones first, else embedded and cached."""

    def __init__(self, retriever: Callable[[], Any], size: int = 8192) -> None:
        self._retriever = retriever
        self._cache = UnitCache(lambda texts: self._retriever().embed(texts), size=size)
        self._lock = threading.Lock()
        self._headings: OrderedDict[str, np.ndarray] = OrderedDict()

    def units(self, passages: list[Passage]) -> dict[str, PassageUnits]:
        stored = getattr(self._retriever(), "units", None)
        found: dict[str, PassageUnits] = dict(stored(passages)) if callable(stored) else {}
        missing = [p for p in passages if p.passage_id not in found]
        if missing:
            found.update(self._cache.get(missing))
        return found

    def headings(self, passages: list[Passage]) -> dict[str, np.ndarray]:
        wanted = list(dict.fromkeys(p.section_path[-1] for p in passages if p.section_path))
        stored = getattr(self._retriever(), "heading_vectors", None)
        found: dict[str, np.ndarray] = dict(stored(wanted)) if callable(stored) else {}
        with self._lock:
            for h in wanted:
                if h not in found and h in self._headings:
                    found[h] = self._headings[h]
        missing = [h for h in wanted if h not in found]
        if missing:
            vectors = np.asarray(self._retriever().embed(missing), dtype=np.float32)
            with self._lock:
                for heading, vector in zip(missing, vectors, strict=True):
                    self._headings[heading] = vector
                    found[heading] = vector
                while len(self._headings) > 4096:
                    self._headings.popitem(last=False)
        return found

    @property
    def cached(self) -> int:
        """How many passages' units were embedded here (not read from the index)."""
        return len(self._cache)
