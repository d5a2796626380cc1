"""Scores for one answer against its question's gold, and their summary. Pure functions.

- A passage (or citation) *matches* a gold item when the document is the same and: their paragraph
  numbers overlap; or, when the gold item has no paragraphs, their pages overlap; or, when the gold item
  has neither, the document alone matches.
- retrieval recall@k: share of a question's gold items matched by any of the top-k retrieved passages.
- MRR: 1 / rank of the first retrieved passage that matches any gold item (0 if none in the list).
- lead: the answer's first citation points at a gold place (1/0; an answerable question declined scores 0).
- cited gold: any of the answer's citations points at a gold place (1/0; declined scores 0).
- citations per answer: how many citations an answer (not a decline) carries.
- citation precision: share of an answer's citations that point at a gold place (strict: a citation of
  another relevant paragraph counts against it).
- citation support: share of citations that support the answer: they point at a gold place, or their quote
  contains (normalised) the text of the answer point they back. Extractive answers score 1.0 by
  construction; the figure guards generative mode, where a model may cite a passage that does not say it.
- fact coverage: share of key facts found in the answer text (case-insensitive, whitespace-normalised).
- decline accuracy: share of unanswerable questions declined; false declines: answerable ones declined.
- evidence x lead: for each evidence label an answer carried, how many answerable questions got it and the
  share of those whose lead was right ("strong" should be right at least 8 times in 10).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel

from evals.questions import GoldCitation

__all__ = [
    "Located",
    "QuestionScore",
    "citation_precision",
    "citation_support",
    "evidence_by_lead",
    "fact_coverage",
    "lead_citation",
    "matches_gold",
    "percentile",
    "reciprocal_rank",
    "recall_at_k",
    "summarise",
    "supports",
]


@dataclass(frozen=True)
class Located:
    """Where a retrieved passage or a citation points."""

    doc_id: str
    paragraphs: tuple[str, ...] = ()
    pages: tuple[int, ...] = ()
    quote: str = ""
    backs: tuple[str, ...] = ()  # texts of the answer points this citation backs


def supports(item: Located, gold: Sequence[GoldCitation]) -> bool:
    """A citation supports the answer when it matches gold, or its quote contains a point it backs."""
    if any(matches_gold(item, g) for g in gold):
        return True
    quote = _normalise(item.quote)
    return bool(quote) and any(_normalise(point) and _normalise(point) in quote for point in item.backs)


def matches_gold(item: Located, gold: GoldCitation) -> bool:
    """True when `item` points at the gold place (see module docstring)."""
    if item.doc_id != gold.doc_id:
        return False
    if gold.paragraphs:
        return bool(set(item.paragraphs) & set(gold.paragraphs))
    if gold.pages:
        return bool(set(item.pages) & set(gold.pages))
    return True


def recall_at_k(retrieved: Sequence[Located], gold: Sequence[GoldCitation], k: int) -> float:
    """Share of gold items matched within the first k retrieved."""
    if not gold:
        return 0.0
    top = retrieved[:k]
    return sum(any(matches_gold(item, g) for item in top) for g in gold) / len(gold)


def reciprocal_rank(retrieved: Sequence[Located], gold: Sequence[GoldCitation]) -> float:
    """1 / rank of the first retrieved item matching any gold item; 0 if none does."""
    for rank, item in enumerate(retrieved, start=1):
        if any(matches_gold(item, g) for g in gold):
            return 1.0 / rank
    return 0.0


def citation_precision(cited: Sequence[Located], gold: Sequence[GoldCitation]) -> float:
    """Share of citations that point at a gold place (0 when nothing is cited)."""
    if not cited:
        return 0.0
    return sum(any(matches_gold(item, g) for g in gold) for item in cited) / len(cited)


def lead_citation(cited: Sequence[Located], gold: Sequence[GoldCitation]) -> float:
    """1.0 when the first citation points at a gold place, else 0.0 (also when nothing is cited)."""
    return 1.0 if cited and any(matches_gold(cited[0], g) for g in gold) else 0.0


def cited_gold(cited: Sequence[Located], gold: Sequence[GoldCitation]) -> float:
    """1.0 when any citation points at a gold place, else 0.0."""
    return 1.0 if any(matches_gold(item, g) for item in cited for g in gold) else 0.0


def citation_support(cited: Sequence[Located], gold: Sequence[GoldCitation]) -> float:
    """Share of citations that support the answer (see `supports`; 0 when nothing is cited)."""
    if not cited:
        return 0.0
    return sum(supports(item, gold) for item in cited) / len(cited)


def _normalise(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def fact_coverage(answer_text: str, key_facts: Sequence[str]) -> float:
    """Share of key facts present in the answer (1.0 when there are none to check)."""
    if not key_facts:
        return 1.0
    text = _normalise(answer_text)
    return sum(_normalise(fact) in text for fact in key_facts) / len(key_facts)


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


class QuestionScore(BaseModel):
    """Scores of one answered question."""

    question_id: str
    topic: str
    answerable: bool
    declined: bool
    recall_at_k: float | None = None
    reciprocal_rank: float | None = None
    citation_precision: float | None = None
    citation_support: float | None = None
    fact_coverage: float | None = None
    lead: float | None = None
    cited_gold: float | None = None
    citations: int = 0
    evidence: str = ""
    latency_ms: float = 0.0


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.fmean(present), 4) if present else None


def evidence_by_lead(scores: Sequence[QuestionScore]) -> dict[str, dict[str, float | int | None]]:
    """{evidence label: {'answers': n, 'lead_right': share}} over answerable questions that got a lead score."""
    out: dict[str, dict[str, float | int | None]] = {}
    for label in ("strong", "moderate", "weak", "none"):
        group = [s for s in scores if s.answerable and s.lead is not None and s.evidence == label]
        out[label] = {"answers": len(group), "lead_right": _mean(s.lead for s in group)}
    return out


def summarise(scores: Sequence[QuestionScore], k: int) -> dict[str, float | int | None]:
    """Aggregate figures over a list of question scores."""
    answerable = [s for s in scores if s.answerable]
    unanswerable = [s for s in scores if not s.answerable]
    answered = [s for s in scores if not s.declined]
    latencies = [s.latency_ms for s in scores]
    return {
        "questions": len(scores),
        "lead": _mean(s.lead for s in answerable),
        "cited_gold": _mean(s.cited_gold for s in answerable),
        "citations_per_answer": _mean(float(s.citations) for s in answered),
        f"recall@{k}": _mean(s.recall_at_k for s in answerable),
        "mrr": _mean(s.reciprocal_rank for s in answerable),
        "citation_precision": _mean(s.citation_precision for s in answerable if not s.declined),
        "citation_support": _mean(s.citation_support for s in answerable if not s.declined),
        "fact_coverage": _mean(s.fact_coverage for s in answerable),
        "decline_accuracy": _mean(1.0 if s.declined else 0.0 for s in unanswerable),
        "false_decline_rate": _mean(1.0 if s.declined else 0.0 for s in answerable),
        "latency_p50_ms": round(percentile(latencies, 50), 1),
        "latency_p95_ms": round(percentile(latencies, 95), 1),
    }
