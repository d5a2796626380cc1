"""`evals.ranker_training.calibrate`: evidence thresholds from held-out (relevance, lead right) pairs."""

from __future__ import annotations

from evals.ranker_training import calibrate

LOW = [(0.05 + 0.01 * i, i % 4 == 0) for i in range(20)]  # 0.05-0.24: right 1 time in 4
HIGH = [(0.30 + 0.01 * i, True) for i in range(30)]  # 0.30-0.59: always right


def test_weak_ends_where_a_lead_becomes_as_likely_right_as_not() -> None:
    thresholds = calibrate(HIGH, held_out=LOW)
    assert thresholds["decline_below"] == 0.15  # half the lowest relevance reached out of fold
    assert thresholds["strong_from"] == 0.3  # from here up right at least 85% of the time (out of fold)
    assert 0.2 < thresholds["moderate_from"] <= 0.3  # leads below are right about 1 time in 4
    below = [ok for r, ok in LOW + HIGH if r < thresholds["moderate_from"]]
    assert len(below) >= 10 and sum(below) / len(below) < 0.5


def test_no_weak_band_when_leads_are_right_half_the_time_or_too_few_are_below() -> None:
    half = [(0.1 + 0.01 * i, i % 2 == 0) for i in range(40)]
    assert calibrate(half)["moderate_from"] == calibrate(half)["decline_below"] == 0.05
    few = [(0.1, False)] * 5 + [(0.5 + 0.001 * i, i % 2 == 0) for i in range(20)]
    assert calibrate(few)["moderate_from"] == 0.05  # five wrong leads are not enough to say "weak" below 0.5
