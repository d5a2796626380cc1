"""Sentence units of passages and their vectors, embedded once per passage and kept in an LRU cache.

A unit is a sentence of a passage, or a short bullet list kept with its lead-in (`textkit.split_units`),
in display form (`textkit.clean_unit`). Units are embedded as "heading: sentence" so that a sentence that
leans on its heading ("It should be reviewed termly") still matches a question about the heading's topic.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from ingest.models import Passage
from textkit import clean_unit, normalise, split_units

__all__ = ["PassageUnits", "UnitCache", "paragraph_spans", "passage_units"]


@dataclass(frozen=True)
class PassageUnits:
    """A passage's units (display text), the numbered paragraph each belongs to ('' when the passage has
    none) and one L2-normalised vector per unit."""

    texts: list[str]
    paragraphs: list[str]
    vectors: np.ndarray


def paragraph_spans(passage: Passage) -> list[tuple[str, str]]:
    """The passage text cut at its numbered paragraphs: [(number, text)]. Text before the first number found
    (a paragraph continued from the previous passage) belongs to the passage's first paragraph."""
    if not passage.paragraphs:
        return [("", passage.text)]
    starts: list[tuple[int, str]] = []
    pos = 0
    for number in passage.paragraphs:
        m = re.compile(rf"(?m)^{re.escape(number)}\.?\s").search(passage.text, pos)
        if m:
            starts.append((m.start(), number))
            pos = m.end()
    if not starts or starts[0][0] > 0:
        starts.insert(0, (0, passage.paragraphs[0]))
        if len(starts) > 1 and starts[1][1] == passage.paragraphs[0]:
            del starts[1]
    bounds = [*(s for s, _ in starts[1:]), len(passage.text)]
    return [(number, passage.text[start:end]) for (start, number), end in zip(starts, bounds, strict=True)]


def passage_units(passage: Passage) -> list[tuple[str, str]]:
    """Display units of a passage with their paragraph numbers (at least one unit: the whole text)."""
    out = [
        (unit, number)
        for number, text in paragraph_spans(passage)
        for unit in (clean_unit(u) for u in split_units(text))
        if unit
    ]
    return out or [(normalise(passage.text), passage.paragraphs[0] if passage.paragraphs else "")]


def _embedding_text(passage: Passage, unit: str) -> str:
    heading = passage.section_path[-1] if passage.section_path else ""
    return f"{heading}: {unit}" if heading else unit


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
            flat = [_embedding_text(p, u) for p in missing for u, _ in texts[p.passage_id]]
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
