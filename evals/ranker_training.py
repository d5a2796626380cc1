"""Train the reranker (`assistant/ranker.json`) on question sets, with cross-validated figures.

Each answerable question's candidates (the retrieve stage's fused top `CANDIDATES`) are labelled by the
evaluation's own gold match (`evals.metrics.matches_gold`), their features computed by the assistant's own
code (`Assistant.features`), and a logistic regression (scikit-learn) is fitted on all of them. The figures
printed are cross-validated (5 folds by question, 3 shuffles): the share of answerable questions whose first,
first three and first five candidates hold a gold place, in fused order and reranked, per set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant import Assistant
from assistant.question import analyse
from assistant.rerank import FEATURES, Ranker
from evals.metrics import Located, matches_gold
from evals.questions import EvalQuestion, load_questions

__all__ = [
    "DEFAULT_FEATURES",
    "FURTHER_FEATURES",
    "Labelled",
    "calibrate",
    "cross_validate",
    "cross_validate_further",
    "fit",
    "label_questions",
    "leads",
]

DEFAULT_FEATURES = (
    "fused",
    "keyword",
    "dense",
    "best_sentence",
    "sentence_words",
    "heading",
    "footnote",
    "continuation",
    "glossary",
    "gives_asked",
)
"""Chosen by the ablation in evals/README.md: the rest did not help on both sets."""

FURTHER_FEATURES = (*DEFAULT_FEATURES, "second_view_rank")
"""The further-points model's (`assistant/ranker-further.json`): the lead's features and the second view's rank."""

TOP = (1, 3, 5)


@dataclass
class Labelled:
    """One answerable question: its candidates' features and which candidates are gold places."""

    set_name: str
    question: EvalQuestion
    rows: np.ndarray
    gold: np.ndarray


def label_questions(assistant: Assistant, paths: Sequence[Path]) -> list[Labelled]:
    """Candidates, features and gold labels of every answerable question with gold in the sets."""
    out: list[Labelled] = []
    for path in paths:
        questions = [q for q in load_questions(path) if q.answerable and q.gold]
        vectors = np.asarray(assistant.index.embed([q.question for q in questions]), dtype=np.float32)
        for question, vector in zip(questions, vectors, strict=True):
            candidates, rows = assistant.features(analyse(question.question), vector)
            gold = np.array(
                [
                    any(
                        matches_gold(Located(c.passage.doc_id, tuple(c.passage.paragraphs), tuple(c.passage.pages)), g)
                        for g in question.gold
                    )
                    for c in candidates
                ],
                dtype=bool,
            )
            out.append(Labelled(Path(path).stem, question, rows, gold))
    return out


def fit(data: Sequence[Labelled], features: Sequence[str] = DEFAULT_FEATURES, c: float = 0.5) -> Ranker:
    """A logistic regression over standardised `features` of every candidate of `data`."""
    from sklearn.linear_model import LogisticRegression

    columns = [FEATURES.index(f) for f in features]
    x = np.vstack([d.rows[:, columns] for d in data])
    y = np.concatenate([d.gold for d in data])
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    model = LogisticRegression(C=c, max_iter=5000).fit((x - mean) / scale, y)
    return Ranker(list(features), mean.tolist(), scale.tolist(), model.coef_[0].tolist(), float(model.intercept_[0]))


def _hits(data: Sequence[Labelled], ranker: Ranker | None) -> dict[int, int]:
    found = dict.fromkeys(TOP, 0)
    for d in data:
        order = np.arange(len(d.gold)) if ranker is None else np.argsort(-ranker.probabilities(d.rows), kind="stable")
        for k in TOP:
            found[k] += int(d.gold[order[:k]].any())
    return found


def cross_validate(
    data: Sequence[Labelled],
    features: Sequence[str] = DEFAULT_FEATURES,
    c: float = 0.5,
    seeds: Sequence[int] = (0, 1, 2),
    out_of_fold: list[tuple[float, bool]] | None = None,
) -> dict[str, dict[str, float]]:
    """{set: {'fused@1': .., 'reranked@1': .., ...}} with 5-fold cross-validation by question. When
    `out_of_fold` is given, (top relevance, top candidate is gold) of every held-out question is appended."""
    from sklearn.model_selection import KFold

    sets = sorted({d.set_name for d in data})
    totals = {s: {f"{kind}@{k}": 0.0 for kind in ("fused", "reranked") for k in TOP} for s in sets}
    counts = dict.fromkeys(sets, 0)
    for seed in seeds:
        for train, test in KFold(5, shuffle=True, random_state=seed).split(np.arange(len(data))):
            ranker = fit([data[i] for i in train], features, c)
            for s in sets:
                part = [data[i] for i in test if data[i].set_name == s]
                for kind, model in (("fused", None), ("reranked", ranker)):
                    for k, n in _hits(part, model).items():
                        totals[s][f"{kind}@{k}"] += n
            if out_of_fold is not None:
                out_of_fold += leads([data[i] for i in test], ranker)
    for d in data:
        counts[d.set_name] += 1
    return {
        s: {key: round(value / (counts[s] * len(seeds)), 3) for key, value in figures.items()}
        for s, figures in totals.items()
    }


def _first_three(lead: Ranker, further: Ranker, d: Labelled) -> bool:
    """Whether the lead (best by `lead`) or the two best others by `further` hold gold."""
    first = int(np.argmax(lead.probabilities(d.rows)))
    others = [int(i) for i in np.argsort(-further.probabilities(d.rows), kind="stable") if i != first][:2]
    return bool(d.gold[[first, *others]].any())


def cross_validate_further(
    data: Sequence[Labelled],
    features: Sequence[str] = FURTHER_FEATURES,
    c: float = 0.5,
    seeds: Sequence[int] = (0, 1, 2),
) -> dict[str, dict[str, float]]:
    """{set: {'reranked@3': .., 'further@3': ..}}: the share of questions whose lead (by a ranker over
    `DEFAULT_FEATURES`) and two further candidates hold a gold place, the further ones by that ranker
    ('reranked@3') or by one over `features` ('further@3'); 5-fold cross-validation by question."""
    from sklearn.model_selection import KFold

    sets = sorted({d.set_name for d in data})
    found = {s: {"reranked@3": 0, "further@3": 0} for s in sets}
    counts = dict.fromkeys(sets, 0)
    for seed in seeds:
        for train, test in KFold(5, shuffle=True, random_state=seed).split(np.arange(len(data))):
            lead = fit([data[i] for i in train], DEFAULT_FEATURES, c)
            further = fit([data[i] for i in train], features, c)
            for i in test:
                d = data[i]
                found[d.set_name]["reranked@3"] += int(_first_three(lead, lead, d))
                found[d.set_name]["further@3"] += int(_first_three(lead, further, d))
                counts[d.set_name] += 1
    return {s: {k: round(v / counts[s], 3) for k, v in figures.items()} for s, figures in found.items()}


def leads(data: Sequence[Labelled], ranker: Ranker) -> list[tuple[float, bool]]:
    """(relevance, right) of each question's lead: its best candidate by `ranker`, and whether it holds gold."""
    out = []
    for d in data:
        p = ranker.probabilities(d.rows)
        out.append((float(p.max()), bool(d.gold[int(np.argmax(p))])))
    return out


def _chance_reaches(pairs: Sequence[tuple[float, bool]], share: float, least: int) -> float:
    """The lowest relevance of sorted (relevance, right) `pairs` at which an isotonic fit of right on relevance
    reaches `share` (the highest relevance when it never does), when at least `least` pairs lie below it; else 0."""
    from sklearn.isotonic import IsotonicRegression

    if len(pairs) <= least:
        return 0.0
    fitted = IsotonicRegression(increasing=True).fit_transform([r for r, _ in pairs], [float(ok) for _, ok in pairs])
    i = next((i for i, p in enumerate(fitted) if p >= share), len(pairs))
    return float(pairs[min(i, len(pairs) - 1)][0]) if i >= least else 0.0


def calibrate(
    out_of_fold: Sequence[tuple[float, bool]],
    held_out: Sequence[tuple[float, bool]] = (),
    strong: float = 0.85,
    margin: float = 0.5,
) -> dict[str, float]:
    """Evidence thresholds from held-out (top relevance, lead right) pairs of answerable questions:
    `out_of_fold` from cross-validation on the training sets, `held_out` from sets the ranker was not trained on.

    `decline_below` is `margin` times the lowest relevance any answerable question reached out of fold: answerable
    questions worded unlike the development sets score lower still, and declines for kinds of question the
    guidance cannot answer come from the decline rules, so this threshold only catches questions with no
    relevant passage at all. From `strong_from` up the lead is right at least `strong` of the time (for at
    least 10 questions out of fold). Below `moderate_from` ("weak") a lead is less likely right than not: where
    an isotonic fit of lead right on relevance, over both kinds of pair, reaches one half, when at least 10
    questions lie below that point (else no weak band beyond `decline_below`)."""
    pairs = sorted(out_of_fold)
    decline_below = margin * pairs[0][0] if pairs else 0.0

    def from_where(share: float, least: int) -> float:
        for i, (r, _) in enumerate(pairs):
            above = [ok for _, ok in pairs[i:]]
            if len(above) >= least and sum(above) / len(above) >= share:
                return r
        return 1.0

    strong_from = from_where(strong, 10)
    moderate_from = min(_chance_reaches(sorted([*out_of_fold, *held_out]), 0.5, 10), strong_from)
    return {
        "decline_below": round(decline_below, 4),
        "moderate_from": round(max(moderate_from, decline_below), 4),
        "strong_from": round(strong_from, 4),
    }
