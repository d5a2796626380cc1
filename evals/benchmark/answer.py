"""`assistant_benchmark(settings, questions) -> dict`: warm extractive answer latency and peak memory."""

from __future__ import annotations

import resource
import statistics
import sys
import time
from typing import Any

from settings import Settings

__all__ = ["assistant_benchmark"]


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    pos = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[pos]


def assistant_benchmark(settings: Settings, questions: list[str], rounds: int = 5) -> dict[str, Any]:
    """Answer every question once to warm up (model, index, sentence-embedding cache), then `rounds` more
    times, timing each `ask`. Returns cold/warm latency figures in milliseconds and peak RSS in MB."""
    from assistant.core import Assistant

    settings = settings.model_copy(update={"generative": False})
    t0 = time.perf_counter()
    assistant = Assistant(settings)
    assistant.warm()
    load_ms = (time.perf_counter() - t0) * 1000
    cold: list[float] = []
    for q in questions:
        t = time.perf_counter()
        assistant.ask(q)
        cold.append((time.perf_counter() - t) * 1000)
    warm: list[float] = []
    declined = 0
    for _ in range(rounds):
        for q in questions:
            t = time.perf_counter()
            answer = assistant.ask(q)
            warm.append((time.perf_counter() - t) * 1000)
            declined += answer.declined
    return {
        "questions": len(questions),
        "rounds": rounds,
        "load_ms": round(load_ms, 1),
        "answer_cold_p50_ms": round(statistics.median(cold), 1) if cold else 0.0,
        "answer_p50_ms": round(_percentile(warm, 0.5), 1),
        "answer_p95_ms": round(_percentile(warm, 0.95), 1),
        "answer_max_ms": round(max(warm), 1) if warm else 0.0,
        "declined_share": round(declined / max(1, len(warm)), 3),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }
