"""Fresh processes the benchmark measures: `answers` (a process that loads and answers) and `serve` (HTTP).

`python -m evals.benchmark.children answers --kind ours|naive --data-dir D --questions FILE` imports and
loads everything, answers the first question and prints `FIRST <ms>` (the parent times the process from its
start to that line), then answers every question once (first sight: none asked before), then again (warm),
times 200 searches, and prints one JSON line of figures, with the process's resident memory and whether
torch was imported.

`python -m evals.benchmark.children serve --kind ours|naive --data-dir D --port P [--database-url U]`
serves `POST /api/ask` on 127.0.0.1:P until terminated: ours is the web app of `vsh serve`
(`bots.web.create_app`) with the answer cache off, so every request runs the whole pipeline.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

__all__ = ["main", "rss_mb"]

SEARCHES = 200


def rss_mb(pid: int | str = "self") -> dict[str, float]:
    """Resident memory now (`VmRSS`) and at its peak (`VmHWM`) of a process, in MB (Linux)."""
    fields: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mb": fields.get("VmRSS", 0.0), "peak_rss_mb": fields.get("VmHWM", 0.0)}


def _timed(fn: Callable[[str], Any], questions: list[str]) -> list[float]:
    out = []
    for q in questions:
        t = time.perf_counter()
        fn(q)
        out.append((time.perf_counter() - t) * 1000)
    return out


def _answers(kind: str, data_dir: Path, questions: list[str]) -> dict[str, Any]:
    if kind == "ours":
        from assistant import Assistant
        from settings import Settings

        assistant = Assistant(Settings(data_dir=data_dir, generative=False))
        ask: Callable[[str], Any] = assistant.ask
        search: Callable[[str], Any] = lambda q: assistant.index.search(q, k=5)  # noqa: E731
    else:
        from evals.benchmark.naive import NaivePeer

        peer = NaivePeer.load(data_dir)
        ask, search = peer.answer, peer.search
    ask(questions[0])
    print(f"FIRST {(time.perf_counter() - STARTED) * 1000:.1f}", flush=True)
    first_sight = _timed(ask, questions[1:])
    warm = _timed(ask, questions)
    queries = (questions * (SEARCHES // len(questions) + 1))[:SEARCHES]
    searches = _timed(search, queries)
    return {
        "first_sight_answer_p50_ms": round(statistics.median(first_sight), 2),
        "warm_answer_p50_ms": round(statistics.median(warm), 2),
        "search_p50_ms": round(statistics.median(searches), 2),
        "answers": 1 + len(first_sight) + len(warm),
        "torch_imported": "torch" in sys.modules,
        **rss_mb(),
    }


def _serve(kind: str, data_dir: Path, port: int, database_url: str) -> None:
    import logging

    import uvicorn

    logging.getLogger("vsh").setLevel(logging.WARNING)
    if kind == "ours":
        from bots.web.app import create_app
        from settings import Settings

        settings = Settings(data_dir=data_dir, database_url=database_url, rate_limit_per_minute=10**9)
        app = create_app(settings, answer_cache_size=0)
    else:
        from evals.benchmark.naive import NaivePeer, naive_app

        app = naive_app(NaivePeer.load(data_dir))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.benchmark.children")
    parser.add_argument("what", choices=["answers", "serve"])
    parser.add_argument("--kind", choices=["ours", "naive"], required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--questions", type=Path)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args(argv)
    if args.what == "answers":
        questions = json.loads(args.questions.read_text(encoding="utf-8"))
        print(json.dumps(_answers(args.kind, args.data_dir, questions)), flush=True)
    else:
        _serve(args.kind, args.data_dir, args.port, args.database_url)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
