"""Stage 2, rerank: score each candidate passage by the chance that it answers the question.

A small logistic model (`ranker.json`, trained on the two development sets by `vsh eval train-ranker`, which
prints its cross-validated figures) over features that any ingested guidance has: the fused search score and
rank, the dense and keyword scores, how close the passage's best sentences and heading are to the question,
how many of the question's words (widened by the domain vocabulary) its best sentence, the passage and its
heading hold, what kind of text it is (footnote, announcement, glossary entry, a list item cut from its
lead-in), and whether it holds the kind of fact the question asks for (a date for "when did ... start", an
amount for "how much", an interval for "how often": `assistant.decline.asked_kind`). No feature names a
document.

A second model (`ranker-further.json`, `vsh eval train-ranker --further`) orders the answer's further points:
the same features plus the passage's rank among the candidates by a second embedding model's similarity to the
question (`index.second_view`, `second_view_rank`). It is not used for the lead: the development sets' lead
falls with it, while the further points it picks hold a place that answers more often on every question set.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.retrieve import Candidate
from assistant.units import PassageUnits
from textkit import content_words

__all__ = [
    "FEATURES",
    "FURTHER_RANKER_PATH",
    "RANKER_PATH",
    "QuestionView",
    "Ranker",
    "candidate_features",
    "corroborated",
    "load_further_ranker",
    "load_ranker",
    "ranker_for",
    "second_view_ranks",
]

RANKER_PATH = Path(__file__).with_name("ranker.json")
FURTHER_RANKER_PATH = Path(__file__).with_name("ranker-further.json")

FEATURES = (
    "fused",
    "log_rank",
    "dense",
    "keyword",
    "best_sentence",
    "second_sentence",
    "sentence_words",
    "heading",
    "coverage",
    "heading_coverage",
    "footnote",
    "announcement",
    "continuation",
    "glossary",
    "gives_asked",
    "second_view_rank",
)


@dataclass(frozen=True)
class QuestionView:
    """What the features read of the question: its vector and content words (with the widened terms)."""

    vector: np.ndarray
    words: frozenset[str]
    asks: re.Pattern[str] | None = None
    """The kind of fact the question asks for (`assistant.decline.asked_kind`), as a pattern, if any."""


def _is_footnote(text: str) -> bool:
    return text.startswith("Footnote ")


_GLOSSARY = re.compile(r"\b(?:glossary|definitions?|key terms|terminology|interpretation)\b", re.I)


def _is_continuation(text: str) -> bool:
    return text.lstrip()[:1] in ("•", "●", "▪", "\uf0b7", "-") or text.lstrip()[:1].islower()


def candidate_features(
    question: QuestionView,
    candidates: list[Candidate],
    units: dict[str, PassageUnits],
    heading_vectors: dict[str, np.ndarray],
) -> np.ndarray:
    """One row of `FEATURES` per candidate (float32)."""
    top = max((c.hit.score for c in candidates), default=1.0) or 1.0
    top_kw = max((c.hit.keyword_score or 0.0 for c in candidates), default=1.0) or 1.0
    n_words = max(1, len(question.words))
    rows = []
    second_ranks = second_view_ranks(candidates)
    for i, c in enumerate(candidates):
        p = c.passage
        passage_units = units[p.passage_id]
        raw = passage_units.vectors @ question.vector
        sims = np.sort(raw)[::-1]
        best = float(sims[0]) if len(sims) else 0.0
        second = float(sims[1]) if len(sims) > 1 else best
        best_words = content_words(passage_units.texts[int(np.argmax(raw))]) if len(raw) else frozenset()
        heading = p.section_path[-1] if p.section_path else ""
        heading_sim = float(heading_vectors[heading] @ question.vector) if heading in heading_vectors else 0.0
        gives = bool(question.asks and question.asks.search(p.text))
        rows.append(
            [
                c.hit.score / top,
                math.log(c.rank + 1),
                float(c.hit.dense_score or 0.0),
                float(c.hit.keyword_score or 0.0) / top_kw,
                best,
                second,
                float(len(question.words & best_words)),
                heading_sim,
                len(question.words & content_words(p.text)) / n_words,
                len(question.words & content_words(" ".join(p.section_path))) / n_words,
                float(_is_footnote(p.text)),
                float(c.doc.status == "announcement"),
                float(_is_continuation(p.text)),
                float(bool(_GLOSSARY.search(" ".join(p.section_path)))),
                float(gives),
                float(second_ranks[i]),
            ]
        )
    return np.asarray(rows, dtype=np.float32).reshape(len(candidates), len(FEATURES))


def second_view_ranks(candidates: list[Candidate]) -> np.ndarray:
    """The `second_view_rank` feature: log(1 + each candidate's rank by its second-view similarity), or zeros
    when a candidate has none."""
    seconds = [c.second for c in candidates]
    if not candidates or any(s is None for s in seconds):
        return np.zeros(len(candidates), dtype=np.float32)
    ranks = np.empty(len(candidates), dtype=np.float64)
    ranks[np.argsort(-np.asarray(seconds, dtype=np.float64), kind="stable")] = np.arange(len(candidates))
    return np.log(ranks + 1).astype(np.float32)


def corroborated(ranked: list[Candidate]) -> bool:
    """Whether the reranked lead is also first by a signal of its own: the fused search order, or similarity
    to the question alone (the highest dense score among the candidates).

    A lead the learned model and one plain signal agree on is right more often at the same relevance, so
    "strong" evidence needs both (see evals/README.md, "Evidence labels").
    """
    if not ranked:
        return False
    lead = ranked[0]
    if lead.rank == 0:
        return True
    best_dense = max(c.hit.dense_score or 0.0 for c in ranked)
    return (lead.hit.dense_score or 0.0) >= best_dense


DEFAULT_THRESHOLDS = {"decline_below": 0.0, "moderate_from": 0.3, "strong_from": 0.6}


class Ranker:
    """A logistic model over standardised features (a subset of `FEATURES`, by name): `probabilities(rows)`.

    `thresholds` are the evidence levels calibrated with it on held-out questions: below `decline_below` the
    assistant declines; from `moderate_from` the evidence is moderate and from `strong_from` strong."""

    def __init__(
        self,
        features: list[str],
        mean: list[float],
        scale: list[float],
        coef: list[float],
        intercept: float,
        thresholds: dict[str, float] | None = None,
    ):
        unknown = [f for f in features if f not in FEATURES]
        if unknown:
            raise ValueError(f"ranker features {unknown} are not computed by the code ({list(FEATURES)}): retrain it")
        self.features = list(features)
        self._columns = [FEATURES.index(f) for f in features]
        self.mean = np.asarray(mean, dtype=np.float32)
        self.scale = np.asarray(scale, dtype=np.float32)
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = float(intercept)
        self.thresholds = {**DEFAULT_THRESHOLDS, **(thresholds or {})}

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """Probability that each candidate (a row of all `FEATURES`) answers the question."""
        z = ((rows[:, self._columns] - self.mean) / self.scale) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def to_json(self) -> dict[str, object]:
        return {
            "features": self.features,
            "mean": self.mean.round(6).tolist(),
            "scale": self.scale.round(6).tolist(),
            "coef": self.coef.round(6).tolist(),
            "intercept": round(self.intercept, 6),
            "thresholds": self.thresholds,
        }


@lru_cache(maxsize=2)
def load_ranker(path: str = str(RANKER_PATH)) -> Ranker:
    """The trained ranker shipped beside this module (or at `path`)."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return Ranker(
        data["features"], data["mean"], data["scale"], data["coef"], data["intercept"], data.get("thresholds")
    )


def load_further_ranker(path: str = str(FURTHER_RANKER_PATH)) -> Ranker:
    """The trained further-points model (it reads `second_view_rank`) shipped beside this module (or at `path`)."""
    return load_ranker(path)


def ranker_for(kind: str) -> Ranker:
    """The reranker a setting names: "learned" (the trained model), or, to measure what it adds, "sentence"
    (fused score plus twice the best sentence's similarity) or "fused" (the index's own order). The last two
    carry no calibrated evidence thresholds: they never decline on evidence and label it moderate."""
    if kind == "learned":
        return load_ranker()
    plain = {"decline_below": 0.0, "moderate_from": 0.0, "strong_from": 1.01}
    if kind == "sentence":
        return Ranker(["fused", "best_sentence"], [0.0, 0.0], [1.0, 1.0], [1.0, 2.0], -2.0, plain)
    if kind == "fused":
        return Ranker(["fused"], [0.0], [1.0], [1.0], 0.0, plain)
    raise ValueError(f"unknown reranker {kind!r}: choose learned, sentence or fused")
