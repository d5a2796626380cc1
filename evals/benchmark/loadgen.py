"""A small HTTP load generator for the web API (used by the load test and the benchmark's http part).

`run_load(base_url, questions, total, concurrency)` sends `total` POST /api/ask requests (questions taken
round-robin) with `concurrency` requests in flight, and returns throughput and latency percentiles.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import httpx

__all__ = ["run_load", "percentile"]


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return float(ordered[rank - 1])


async def _run(
    base_url: str,
    questions: Sequence[str],
    total: int,
    concurrency: int,
    timeout_s: float,
    stream: bool,
    request_timeout_s: float,
) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    errors = 0
    next_i = 0
    path = "/api/ask/stream" if stream else "/api/ask"
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base_url, timeout=request_timeout_s, limits=limits) as client:

        async def worker() -> None:
            nonlocal next_i, errors
            while True:
                i = next_i
                if i >= total:
                    return
                next_i += 1
                q = questions[i % len(questions)]
                t0 = time.perf_counter()
                try:
                    r = await client.post(path, json={"question": q})
                    body = r.text
                    ok = r.status_code == 200 and ('"transcript_id"' in body)
                    statuses[str(r.status_code)] += 1
                except httpx.HTTPError as exc:
                    ok = False
                    statuses[type(exc).__name__] += 1
                if ok:
                    latencies.append((time.perf_counter() - t0) * 1000)
                else:
                    errors += 1

        start = time.perf_counter()
        tasks = [asyncio.create_task(worker()) for _ in range(max(1, concurrency))]
        _done, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for t in pending:
            t.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        elapsed = time.perf_counter() - start
    sent = min(next_i, total)
    unfinished = total - len(latencies) - errors
    return {
        "requests": sent,
        "ok": len(latencies),
        "errors": errors + max(0, unfinished),
        "timed_out": bool(pending),
        "duration_s": round(elapsed, 3),
        "requests_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else 0.0,
        "statuses": dict(statuses),
        "concurrency": concurrency,
    }


def run_load(
    base_url: str,
    questions: Sequence[str],
    total: int,
    concurrency: int,
    *,
    timeout_s: float = 600.0,
    stream: bool = False,
    request_timeout_s: float = 60.0,
) -> dict[str, Any]:
    """Send `total` questions with `concurrency` in flight; stop after `timeout_s` (unsent count as errors).

    Returns {requests_per_s, p50_ms, p95_ms, errors} plus requests, ok, p99_ms, mean_ms, duration_s,
    statuses and timed_out.
    """
    if not questions:
        raise ValueError("run_load needs at least one question")
    return asyncio.run(
        _run(base_url.rstrip("/"), list(questions), total, concurrency, timeout_s, stream, request_timeout_s)
    )
