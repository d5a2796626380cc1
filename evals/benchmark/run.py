"""The benchmark: prints the speed and memory figures the issues set targets for.

`python -m evals.benchmark [--corpus PATH] [--parts search,answer,http]` runs each part in its own
process (so each peak-memory figure belongs to that part alone) and prints one table and a JSON line.

- search: cold ingest, unchanged re-ingest, passages/s embedded, search p50/p95, index size, peak memory,
  and search quality against a naive baseline (fixed 1,000-character chunks, dense only);
- answer: extractive answer latency p50/p95 and peak memory of a process that serves answers;
- http: requests/s and p50/p95 latency of `POST /api/ask` over loopback HTTP, questions taken round-robin
  from the development set with the answer cache off (every request runs the pipeline): one warm-up
  request, then a first-sight pass (each question once, so the sentences of the passages it retrieves are
  embedded then), then the measured run of `--requests` requests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from settings import REPO_ROOT, Settings

__all__ = ["main", "machine_description"]

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
DEV_SET = REPO_ROOT / "evals" / "datasets" / "dev.jsonl"
ANSWER_QUESTIONS = [
    "Who is eligible for Pupil Premium Plus?",
    "Who decides how Pupil Premium Plus is spent for a looked-after child?",
    "Does the virtual school cover a child on a child in need plan?",
    "Must the governing body appoint a designated teacher?",
    "What changed for children in kinship care in September 2024?",
    "What should be in a personal education plan?",
    "Who is a previously looked-after child?",
    "What does a personal adviser do for a care leaver?",
    "What must a local authority do when a child is missing education?",
    "What is the role of the virtual school head in health assessments?",
]


def machine_description() -> str:
    """One line naming the machine the figures were measured on."""
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _part_search(corpus: Path) -> dict[str, Any]:
    from evals.benchmark.search import run_search_benchmark

    return dict(run_search_benchmark(corpus))


def _built_settings(corpus: Path, data_dir: Path) -> Settings:
    from index.build import ingest_paths

    settings = Settings(data_dir=data_dir, corpus_paths=[corpus])
    report = ingest_paths([corpus], settings)
    if report.failed:
        raise SystemExit(f"ingest failed: {report.failed}")
    return settings


def _part_answer(corpus: Path, data_dir: Path) -> dict[str, Any]:
    from evals.benchmark.answer import assistant_benchmark

    settings = _built_settings(corpus, data_dir)
    figures = dict(assistant_benchmark(settings, ANSWER_QUESTIONS))
    figures["peak_rss_mb_answer_process"] = round(_peak_rss_mb(), 1)
    return figures


def _part_http(corpus: Path, data_dir: Path, total: int, concurrency: int) -> dict[str, Any]:
    import socket

    import httpx
    import uvicorn

    from bots.web.app import create_app
    from evals.benchmark.loadgen import run_load
    from evals.questions import load_questions

    settings = _built_settings(corpus, data_dir)
    questions = [q.question for q in load_questions(DEV_SET)]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = settings.model_copy(update={"rate_limit_per_minute": 10**9})
    app = create_app(settings, answer_cache_size=0)  # every request runs the pipeline: no cached answers
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    base_url = f"http://127.0.0.1:{port}"
    try:
        started = time.perf_counter()
        warm_up = httpx.post(f"{base_url}/api/ask", json={"question": questions[0]}, timeout=120)
        first_request_ms = round((time.perf_counter() - started) * 1000, 1)
        if warm_up.status_code != 200:
            raise SystemExit(f"warm-up request failed: HTTP {warm_up.status_code}")
        figures: dict[str, Any] = {"first_request_ms": first_request_ms, "distinct_questions": len(questions)}
        first_sight = run_load(base_url, questions, len(questions), concurrency)
        for key in ("errors", "requests_per_s", "p50_ms", "p95_ms", "p99_ms"):
            figures[f"first_sight_{key}"] = first_sight[key]
        figures.update(run_load(base_url, questions, total, concurrency))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    figures["http_requests"] = total
    figures["http_concurrency"] = concurrency
    figures["peak_rss_mb_server_process"] = round(_peak_rss_mb(), 1)
    return figures


def _run_part(part: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run one part in a child process and return its JSON figures."""
    command = [sys.executable, "-m", "evals.benchmark", "--part", part, "--corpus", str(args.corpus)]
    command += ["--requests", str(args.requests), "--concurrency", str(args.concurrency)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": (done.stderr or done.stdout).strip().splitlines()[-1:]}
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the parts and print their figures."""
    parser = argparse.ArgumentParser(
        prog="python -m evals.benchmark", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--parts", default="search,answer,http")
    parser.add_argument("--part", help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"no corpus folder at {args.corpus}; pass --corpus PATH (the folder of guidance to ingest)")

    if args.part:  # child process: run one part, print its JSON as the last line
        with tempfile.TemporaryDirectory(prefix="vsh-bench-") as tmp:
            if args.part == "search":
                figures = _part_search(args.corpus)
            elif args.part == "answer":
                figures = _part_answer(args.corpus, Path(tmp))
            else:
                figures = _part_http(args.corpus, Path(tmp), args.requests, args.concurrency)
        print(json.dumps(figures))
        return 0

    results: dict[str, Any] = {"machine": machine_description()}
    for part in [p.strip() for p in args.parts.split(",") if p.strip()]:
        print(f"running {part} ...", file=sys.stderr, flush=True)
        results[part] = _run_part(part, args)

    print(f"machine: {results['machine']}")
    for part, figures in results.items():
        if part == "machine":
            continue
        print(f"\n[{part}]")
        for key, value in figures.items():
            print(f"  {key:<40} {value}")
    print("\n" + json.dumps(results))
    return 0 if all("error" not in v for k, v in results.items() if k != "machine") else 1


if __name__ == "__main__":
    raise SystemExit(main())
