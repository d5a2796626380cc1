"""Prometheus metrics of the answers every channel gives (process-wide default registry, served at /metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

__all__ = ["ANSWER_SECONDS", "ANSWERS", "DECLINES", "CACHE_HITS"]

ANSWER_SECONDS = Histogram(
    "vsh_answer_latency_seconds",
    "Time to produce an answer (assistant or answer cache), by channel.",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
ANSWERS = Counter("vsh_answers_total", "Answers given, by channel.", ["channel"])
DECLINES = Counter("vsh_declines_total", "Answers that declined (guidance does not cover it), by channel.", ["channel"])
CACHE_HITS = Counter("vsh_answer_cache_hits_total", "Answers served from the answer cache.")
ANSWERS.labels(channel="web")  # export zeros from the start
DECLINES.labels(channel="web")
