"""How well approved answers are matched to the same question in other words: `python -m evals.paraphrase`.

Reads `evals/datasets/paraphrases.jsonl` (pairs of questions, `same` true for a paraphrase, false for a
question that only looks similar), reads each question as the assistant does (redaction, follow-up-free
analysis), embeds it with the index's model, and counts, at the configured thresholds and over a grid:
paraphrases matched (recall) and false matches (target 0). The thresholds in `settings` come from here.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.approved import WordVectors, mismatch
from assistant.question import analyse
from assistant.redaction import redact
from settings import REPO_ROOT, Settings, get_settings

__all__ = ["PAIRS", "PairResult", "Figures", "figures", "score_pairs"]

PAIRS = REPO_ROOT / "evals" / "datasets" / "paraphrases.jsonl"


@dataclass
class PairResult:
    """One pair: whether it is a paraphrase, the questions' similarity and what `mismatch` found."""

    id: str
    same: bool
    similarity: float
    reason: str

    def matched(self, threshold: float) -> bool:
        return self.similarity >= threshold and not self.reason


@dataclass
class Figures:
    threshold: float
    paraphrases: int
    matched: int
    others: int
    false_matches: int

    @property
    def recall(self) -> float:
        return self.matched / self.paraphrases if self.paraphrases else 0.0


def score_pairs(
    embed: Callable[[list[str]], np.ndarray], word_threshold: float, path: Path = PAIRS
) -> list[PairResult]:
    """Similarity and `mismatch` reason of every pair in `path`."""
    pairs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    read = [(analyse(redact(p["a"]).text).text, analyse(redact(p["b"]).text).text) for p in pairs]
    a = np.asarray(embed([x for x, _ in read]), dtype=np.float32)
    b = np.asarray(embed([y for _, y in read]), dtype=np.float32)
    words = WordVectors(embed)
    return [
        PairResult(p["id"], bool(p["same"]), float(sim), mismatch(x, y, words, word_threshold))
        for p, (x, y), sim in zip(pairs, read, (a * b).sum(axis=1), strict=True)
    ]


def figures(results: list[PairResult], threshold: float) -> Figures:
    same = [r for r in results if r.same]
    others = [r for r in results if not r.same]
    return Figures(
        threshold=threshold,
        paraphrases=len(same),
        matched=sum(r.matched(threshold) for r in same),
        others=len(others),
        false_matches=sum(r.matched(threshold) for r in others),
    )


def main(settings: Settings | None = None) -> None:
    from index.embedder import get_embedder

    settings = settings or get_settings()
    embedder = get_embedder(settings.embedding_model, settings.torch_threads)
    results = score_pairs(embedder.encode, settings.approved_word_threshold)
    passing = [r.similarity for r in results if not r.same and not r.reason]
    print(f"pairs: {PAIRS.relative_to(REPO_ROOT)}; word threshold {settings.approved_word_threshold}")
    print(f"most similar non-paraphrase passing the word checks: {max(passing, default=0.0):.3f}")
    for threshold in sorted({0.6, 0.65, 0.7, 0.75, 0.8, 0.85, settings.approved_match_threshold}):
        f = figures(results, threshold)
        mark = "  <- in force" if threshold == settings.approved_match_threshold else ""
        print(
            f"threshold {threshold:.2f}: paraphrases matched {f.matched} of {f.paraphrases} ({f.recall:.2f}), "
            f"false matches {f.false_matches} of {f.others}{mark}"
        )


if __name__ == "__main__":  # pragma: no cover
    main()
