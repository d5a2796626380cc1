"""Approved answers are reused only for the same question in other words: the figures on the written pairs
(`evals/datasets/paraphrases.jsonl`) with the real embedding model, at the thresholds in force."""

from __future__ import annotations

from evals.paraphrase import figures, score_pairs
from settings import Settings


def test_no_false_matches_and_some_paraphrases_matched() -> None:
    from index.embedder import get_embedder

    settings = Settings()
    results = score_pairs(get_embedder("", 2).encode, settings.approved_word_threshold)
    f = figures(results, settings.approved_match_threshold)
    assert f.paraphrases >= 40 and f.others >= 40
    assert f.false_matches == 0, [r for r in results if not r.same and r.matched(f.threshold)]
    assert f.recall >= 0.25, f  # measured 14 of 45 (0.31) at 0.70
    # the margin: no non-paraphrase that passes the word checks comes near the threshold
    passing = [r.similarity for r in results if not r.same and not r.reason]
    assert max(passing) < settings.approved_match_threshold - 0.05
