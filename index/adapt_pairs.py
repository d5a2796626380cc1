"""Training pairs for adapting the embedding model, mined from passages by generic rules of document structure.

No rule names a document, a question or a sentence of any corpus:
- heading: a section's heading (its parent prepended when the heading alone is short) -> the text of the
  first passages of that section;
- definition: a term that a glossary/definitions/terminology section heads, or that a sentence defines
  in quotes (`"term" means ...`, `'term' refers to ...`, `"term" is defined as ...`) -> the passage;
- first_sentence: a passage's first sentence (when the passage starts a sentence) -> the rest of it.
Footnotes, navigation headings (contents) and texts too short to say anything are skipped; a pair is kept
once, whatever rules found it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from index.texts import is_footnote
from ingest.chunking import split_sentences
from ingest.models import Passage

__all__ = ["PAIR_KINDS", "PairKind", "TrainingPair", "mine_pairs"]

PairKind = Literal["heading", "definition", "first_sentence"]
PAIR_KINDS: tuple[PairKind, ...] = ("heading", "definition", "first_sentence")

MIN_ANCHOR_WORDS = 2
MIN_SENTENCE_WORDS = 6
MIN_POSITIVE_WORDS = 8
SHORT_HEADING_WORDS = 3
PASSAGES_PER_HEADING = 2
GLOSSARY_HEADING_RE = re.compile(
    r"\b(glossary|definitions?|terminology|interpretation|key terms|terms used|abbreviations|acronyms)\b", re.I
)
NAVIGATION_HEADING_RE = re.compile(r"^(table of )?contents$|^index$", re.I)
HEADING_PREFIX_RE = re.compile(
    r"^(?:(?:chapter|part|section|annex|appendix|schedule)\s+[\w.]+\s*[:.\-–—]?\s*|\d+(?:\.\d+)*\.?\s+|[ivxlc]+\.\s+)",
    re.I,
)
PARAGRAPH_NUMBER_RE = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|\([a-z0-9]+\)|[•§▪\-–*])\s+")
DEFINED_TERM_RE = re.compile(
    r"(?:^|[\s(])[“\"‘']([^“”\"‘’']{3,60})[”\"’']\s+(?:means|refers to|is defined as|describes)\b"
)


@dataclass(frozen=True)
class TrainingPair:
    """One (anchor, positive) pair: a short text a reader might look up, and the passage text it leads to."""

    anchor: str
    positive: str
    kind: PairKind
    passage_id: str


def _words(text: str) -> int:
    return len(text.split())


def _clean(text: str) -> str:
    """Text without a leading paragraph number or bullet, whitespace collapsed."""
    return " ".join(PARAGRAPH_NUMBER_RE.sub("", text.strip()).split())


def _clean_heading(heading: str) -> str:
    return " ".join(HEADING_PREFIX_RE.sub("", heading.strip()).split()).strip(" :.-–—")


def _heading_anchor(section_path: Sequence[str]) -> str:
    """The innermost heading, with its parent prepended when it is short on its own."""
    headings = [_clean_heading(h) for h in section_path if not NAVIGATION_HEADING_RE.match(_clean_heading(h))]
    headings = [h for h in headings if h]
    if not headings:
        return ""
    anchor = headings[-1]
    if _words(anchor) < SHORT_HEADING_WORDS and len(headings) > 1:
        anchor = f"{headings[-2]}: {anchor}"
    return anchor


def _defined_terms(text: str) -> list[str]:
    terms = []
    for sentence in split_sentences(text):
        match = DEFINED_TERM_RE.search(_clean(sentence))
        if match:
            term = match.group(1).strip()
            if term and _words(term) <= 8:
                terms.append(term)
    return terms


def mine_pairs(passages: Iterable[Passage], kinds: Sequence[PairKind] = PAIR_KINDS) -> list[TrainingPair]:
    """Training pairs from passages by the module's rules, in passage order, each (anchor, positive) once."""
    pairs: list[TrainingPair] = []
    seen: set[tuple[str, str]] = set()
    per_heading: dict[tuple[str, str], int] = {}

    def add(anchor: str, positive: str, kind: PairKind, passage: Passage) -> None:
        key = (anchor.lower(), positive)
        if _words(anchor) < 1 or _words(positive) < MIN_POSITIVE_WORDS or key in seen or anchor == positive:
            return
        seen.add(key)
        pairs.append(TrainingPair(anchor, positive, kind, passage.passage_id))

    for passage in passages:
        if is_footnote(passage):
            continue
        text = _clean(passage.text)
        if _words(text) < MIN_POSITIVE_WORDS:
            continue
        anchor = _heading_anchor(passage.section_path)
        in_glossary = any(GLOSSARY_HEADING_RE.search(h) for h in passage.section_path[:-1])
        heading_key = (passage.doc_id, " > ".join(passage.section_path))
        first_of_heading = per_heading.get(heading_key, 0) < PASSAGES_PER_HEADING
        per_heading[heading_key] = per_heading.get(heading_key, 0) + 1
        if "definition" in kinds:
            term = _clean_heading(passage.section_path[-1]) if passage.section_path else ""
            if in_glossary and term and first_of_heading and not GLOSSARY_HEADING_RE.search(term):
                add(term, text, "definition", passage)
            for defined in _defined_terms(passage.text):
                add(defined, text, "definition", passage)
        if "heading" in kinds and first_of_heading and _words(anchor) >= MIN_ANCHOR_WORDS:
            add(anchor, text, "heading", passage)
        if "first_sentence" in kinds:
            body = PARAGRAPH_NUMBER_RE.sub("", passage.text.strip())
            sentences = [_clean(s) for s in split_sentences(body)]
            sentences = [s for s in sentences if s]
            starts = bool(sentences) and sentences[0][0].isupper()  # a passage may begin mid-sentence
            if len(sentences) >= 2 and starts and _words(sentences[0]) >= MIN_SENTENCE_WORDS:
                add(sentences[0], " ".join(sentences[1:]), "first_sentence", passage)
    return pairs


# --- where adapted models live --------------------------------------------------------------------
