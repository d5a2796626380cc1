"""Sentence units of passages: the rules that split a passage and say what each unit is embedded as.

A unit is a sentence of a passage, or a short bullet list kept with its lead-in (`textkit.split_units`),
in display form (`textkit.clean_unit`), with the numbered paragraph it belongs to. Units are embedded as
"heading: sentence" (`unit_embedding_text`) so that a sentence that leans on its heading ("It should be
reviewed termly") still matches a question about the heading's topic. A passage's heading (the last part of
its section path) is embedded alone as well, for the reranker.

Ingest computes every unit's vector and every heading's vector once and stores them in the index snapshot
(`index.store`); the assistant reads them from `GuidanceIndex.units` / `GuidanceIndex.heading_vectors`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ingest.models import Passage
from textkit import clean_unit, list_item_body, normalise, split_units

__all__ = [
    "PassageUnits",
    "UnitTable",
    "heading_of",
    "paragraph_spans",
    "passage_units",
    "unit_embedding_text",
]


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
        for unit in (clean_unit(u, opens_paragraph=i == 0) for i, u in enumerate(split_units(text)))
        if unit
    ]
    return out or [(normalise(passage.text), passage.paragraphs[0] if passage.paragraphs else "")]


def heading_of(passage: Passage) -> str:
    """The passage's own heading (the last part of its section path), '' when it has none."""
    return passage.section_path[-1] if passage.section_path else ""


def unit_embedding_text(passage: Passage, unit: str) -> str:
    """What a unit is embedded as: "heading: unit" (the unit alone when the passage has no heading), a list
    item without its marker."""
    heading = heading_of(passage)
    body = list_item_body(unit)
    return f"{heading}: {body}" if heading else body


@dataclass(frozen=True)
class UnitTable:
    """Every passage's units in one table, in passage order: passage i owns rows offsets[i]:offsets[i+1] of
    `texts`, `paragraphs` and `vectors` (float32, one row per unit)."""

    offsets: np.ndarray
    texts: list[str]
    paragraphs: list[str]
    vectors: np.ndarray

    def __post_init__(self) -> None:
        rows = int(self.offsets[-1]) if len(self.offsets) else 0
        if not (len(self.texts) == len(self.paragraphs) == rows == self.vectors.shape[0]):
            raise ValueError(
                f"a unit table with {rows} rows by its offsets holds {len(self.texts)} texts, "
                f"{len(self.paragraphs)} paragraphs and {self.vectors.shape[0]} vectors"
            )

    @property
    def passages(self) -> int:
        return max(0, len(self.offsets) - 1)

    def of(self, row: int) -> PassageUnits:
        """The units of the passage in row `row` of the snapshot."""
        start, end = int(self.offsets[row]), int(self.offsets[row + 1])
        return PassageUnits(self.texts[start:end], self.paragraphs[start:end], self.vectors[start:end])
