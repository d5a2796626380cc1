"""Each metric on small hand-made cases whose right score is known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.metrics import (
    Located,
    QuestionScore,
    citation_precision,
    citation_support,
    fact_coverage,
    matches_gold,
    percentile,
    recall_at_k,
    reciprocal_rank,
    summarise,
    supports,
)
from evals.questions import GoldCitation, QuestionSetError, load_questions

PP_GOLD = GoldCitation(doc_id="dt", section="Pupil Premium Plus (PP+)", paragraphs=["39"], pages=[21])
PAGE_GOLD = GoldCitation(doc_id="cme", pages=[4])
DOC_GOLD = GoldCitation(doc_id="news")


def test_matching_uses_paragraphs_then_pages_then_document() -> None:
    assert matches_gold(Located("dt", ("39", "40"), (21,)), PP_GOLD)
    assert not matches_gold(Located("dt", ("41",), (21,)), PP_GOLD)  # same page, wrong paragraph
    assert not matches_gold(Located("other", ("39",), (21,)), PP_GOLD)
    assert matches_gold(Located("cme", (), (3, 4)), PAGE_GOLD)
    assert not matches_gold(Located("cme", (), (5,)), PAGE_GOLD)
    assert matches_gold(Located("news"), DOC_GOLD)


def test_recall_at_k_counts_gold_items_found_in_the_top_k() -> None:
    retrieved = [Located("x"), Located("dt", ("39",)), Located("cme", (), (4,))]
    assert recall_at_k(retrieved, [PP_GOLD, PAGE_GOLD], k=1) == 0.0
    assert recall_at_k(retrieved, [PP_GOLD, PAGE_GOLD], k=2) == 0.5
    assert recall_at_k(retrieved, [PP_GOLD, PAGE_GOLD], k=3) == 1.0
    assert recall_at_k(retrieved, [], k=3) == 0.0


def test_reciprocal_rank_is_one_over_the_first_match() -> None:
    assert reciprocal_rank([Located("x"), Located("y"), Located("dt", ("39",))], [PP_GOLD]) == pytest.approx(1 / 3)
    assert reciprocal_rank([Located("dt", ("39",))], [PP_GOLD]) == 1.0
    assert reciprocal_rank([Located("x")], [PP_GOLD]) == 0.0


def test_citation_precision_is_the_share_of_citations_at_a_gold_place() -> None:
    cited = [Located("dt", ("39",)), Located("dt", ("12",)), Located("cme", (), (4,)), Located("x")]
    assert citation_precision(cited, [PP_GOLD, PAGE_GOLD]) == 0.5
    assert citation_precision([], [PP_GOLD]) == 0.0


def test_a_citation_whose_quote_contains_the_point_it_backs_supports_it() -> None:
    quote = "Pupil Premium Plus  is managed by the VSH.\nIt is paid for each looked-after child."
    backed = Located("dt", ("12",), quote=quote, backs=("pupil premium plus is managed by the VSH.",))
    unrelated = Located("dt", ("12",), quote=quote, backs=("Schools must appoint a designated teacher.",))
    nothing = Located("dt", ("12",), quote="", backs=("",))
    assert supports(backed, [PP_GOLD]) and not supports(unrelated, [PP_GOLD]) and not supports(nothing, [PP_GOLD])
    assert citation_support([backed, unrelated, nothing, Located("dt", ("39",))], [PP_GOLD]) == 0.5
    assert citation_precision([backed, unrelated, nothing, Located("dt", ("39",))], [PP_GOLD]) == 0.25


def test_fact_coverage_ignores_case_spacing_and_curly_quotes() -> None:
    answer = "Children adopted from care, on a Special  Guardianship or child\narrangements order’s terms."
    assert fact_coverage(answer, ["special guardianship", "child arrangements order's", "adoption"]) == pytest.approx(
        2 / 3
    )
    assert fact_coverage(answer, []) == 1.0


def test_percentile_interpolates() -> None:
    assert percentile([10, 20, 30, 40], 50) == 25
    assert percentile([5], 95) == 5
    assert percentile([], 50) == 0.0


def test_summary_separates_answerable_and_unanswerable() -> None:
    scores = [
        QuestionScore(
            question_id="a",
            topic="t",
            answerable=True,
            declined=False,
            recall_at_k=1.0,
            reciprocal_rank=1.0,
            citation_precision=0.5,
            fact_coverage=1.0,
            latency_ms=10,
        ),
        QuestionScore(
            question_id="b",
            topic="t",
            answerable=True,
            declined=True,
            recall_at_k=0.0,
            reciprocal_rank=0.0,
            citation_precision=None,
            fact_coverage=0.0,
            latency_ms=30,
        ),
        QuestionScore(question_id="c", topic="u", answerable=False, declined=True, latency_ms=20),
        QuestionScore(question_id="d", topic="u", answerable=False, declined=False, latency_ms=40),
    ]
    summary = summarise(scores, k=5)
    assert summary["recall@5"] == 0.5 and summary["mrr"] == 0.5
    assert summary["citation_precision"] == 0.5  # declined answers cite nothing to judge
    assert summary["fact_coverage"] == 0.5
    assert summary["decline_accuracy"] == 0.5 and summary["false_decline_rate"] == 0.5
    assert summary["latency_p50_ms"] == 25.0


def test_question_sets_are_validated(tmp_path: Path) -> None:
    good = tmp_path / "set.jsonl"
    row = {
        "id": "q1",
        "question": "Who manages PP+?",
        "topic": "pupil_premium_plus",
        "answerable": True,
        "gold": [{"doc_id": "dt", "paragraphs": ["41"], "pages": [22]}],
        "key_facts": ["virtual school head"],
    }
    good.write_text(json.dumps(row) + "\n\n", encoding="utf-8")
    [question] = load_questions(good)
    assert question.gold[0].paragraphs == ["41"]
    dup = tmp_path / "dup.jsonl"
    dup.write_text(json.dumps(row) + "\n" + json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(QuestionSetError, match="duplicate id"):
        load_questions(dup)
    broken = tmp_path / "broken.jsonl"
    broken.write_text("{not json\n", encoding="utf-8")
    with pytest.raises(QuestionSetError, match=r"broken\.jsonl:1"):
        load_questions(broken)
