"""The benchmark: every speed and memory figure beside the naive peer's, measured in the same run.

`python -m evals.benchmark [--corpus PATH] [--runs 3] [--parts ingest,answer,http,replicas]` measures, in
each run, ours and the naive peer (`evals.benchmark.naive`: 1,000-character chunks, MiniLM through
sentence-transformers, faiss flat) one after the other, and prints the median of the runs of each figure,
ours beside the naive peer's with their ratio (ours / naive) and the target where the issues set one:

- ingest (a child process): cold ingest of the corpus, unchanged re-ingest, index size, search hit@5/MRR@5;
- answer (fresh child processes): first-ever answer counted from the process's start (imports and loading
  included), first-sight answer p50 (each development question asked once, none seen before), warm answer
  p50, search p50 over 200 queries, resident memory after those answers, whether torch was imported;
- http (a server process each): answers/s and p50/p95 at `--concurrency` with the answer cache off, 0 errors,
  resident memory of the serving process after 200 answers;
- replicas: the same load shared by two server processes over one database and one index directory.

The machine is named with the figures; on a shared machine, measure when it is quiet (`uptime`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from settings import REPO_ROOT

__all__ = ["TARGETS", "machine_description", "main"]

DEFAULT_CORPUS = REPO_ROOT.parent / "shared" / "corpus"
DEV_SET = REPO_ROOT / "evals" / "datasets" / "dev.jsonl"
TARGETS: dict[str, tuple[str, float]] = {
    "cold_ingest_s": ("<=", 45),
    "unchanged_reingest_s": ("<=", 1),
    "first_answer_ms": ("<=", 1500),
    "first_sight_answer_p50_ms": ("<=", 60),
    "search_p50_ms": ("<=", 8),
    "serving_rss_mb_after_200_answers": ("<=", 400),
    "answers_per_s": (">=", 80),
    "http_errors": ("<=", 0),
}


def machine_description() -> str:
    """One line naming the machine the figures were measured on, with its load when they were."""
    load = ", load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()) if hasattr(os, "getloadavg") else ""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}{load}"
    )


def _questions() -> list[str]:
    from evals.questions import load_questions

    return [q.question for q in load_questions(DEV_SET)]


def _child_json(command: list[str]) -> dict[str, Any]:
    done = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError((done.stderr or done.stdout).strip()[-1500:])
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _answers(kind: str, data_dir: Path, questions_file: Path) -> dict[str, Any]:
    """A fresh process that loads and answers; its first answer is timed from the process's start."""
    command = [sys.executable, "-m", "evals.benchmark.children", "answers", "--kind", kind]
    command += ["--data-dir", str(data_dir), "--questions", str(questions_file)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout is not None
    figures: dict[str, Any] = {}
    for line in process.stdout:
        if line.startswith("FIRST ") and "first_answer_ms" not in figures:
            figures["first_answer_ms"] = round((time.perf_counter() - started) * 1000, 1)
        elif line.startswith("{"):
            figures.update(json.loads(line))
    if process.wait() != 0:
        raise RuntimeError((process.stderr.read() if process.stderr else "")[-1500:])
    return figures


def one_run(args: argparse.Namespace, parts: list[str]) -> dict[str, dict[str, Any]]:
    """Every part once: {"ours": {...}, "naive": {...}}."""
    from evals.benchmark.http import http_figures, replica_figures

    figures: dict[str, dict[str, Any]] = {"ours": {}, "naive": {}}
    questions = _questions()
    with tempfile.TemporaryDirectory(prefix="vsh-bench-") as tmp:
        ours_dir, naive_dir = Path(tmp) / "ours", Path(tmp) / "naive"
        questions_file = Path(tmp) / "questions.json"
        questions_file.write_text(json.dumps(questions), encoding="utf-8")
        command = [sys.executable, "-m", "evals.benchmark", "--part", "ingest", "--corpus", str(args.corpus)]
        built = _child_json([*command, "--ours-dir", str(ours_dir), "--naive-dir", str(naive_dir)])
        for kind in ("ours", "naive"):
            if "ingest" in parts:
                figures[kind].update(built[kind])
            data_dir = ours_dir if kind == "ours" else naive_dir
            database = args.database_url or f"sqlite:///{Path(tmp) / f'{kind}.sqlite3'}"
            if "answer" in parts:
                figures[kind].update(_answers(kind, data_dir, questions_file))
            if "http" in parts:
                figures[kind].update(http_figures(kind, data_dir, questions, args.requests, args.concurrency, database))
            if "replicas" in parts:
                figures[kind].update(
                    replica_figures(kind, data_dir, questions, args.requests, args.concurrency, database)
                )
    return figures


def _median(values: list[Any]) -> Any:
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    if len(numbers) != len(values):
        return values[-1] if len(set(map(str, values))) == 1 else values
    return round(statistics.median(numbers), 3)


def summarise(runs: list[dict[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """One row per figure: medians of ours and the naive peer, their ratio, the target and whether it is met."""
    rows: list[dict[str, Any]] = []
    names = list(dict.fromkeys(name for run in runs for kind in run.values() for name in kind))
    for name in names:
        ours = _median([run["ours"][name] for run in runs if name in run["ours"]])
        naive = (
            _median([run["naive"][name] for run in runs if name in run["naive"]]) if name in runs[0]["naive"] else None
        )
        ratio = (
            round(ours / naive, 3)
            if isinstance(ours, int | float) and isinstance(naive, int | float) and naive
            else None
        )
        row: dict[str, Any] = {"figure": name, "ours": ours, "naive": naive, "ratio": ratio}
        if name in TARGETS:
            op, bound = TARGETS[name]
            row["target"] = f"{op} {bound:g}"
            row["met"] = bool(ours <= bound if op == "<=" else ours >= bound) if isinstance(ours, int | float) else None
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the parts `--runs` times and print the medians."""
    parser = argparse.ArgumentParser(
        prog="python -m evals.benchmark", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--parts", default="ingest,answer,http,replicas")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--database-url", default="", help="Database of the servers (default: SQLite in a temp dir).")
    parser.add_argument("--part", help=argparse.SUPPRESS)
    parser.add_argument("--ours-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--naive-dir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"no corpus folder at {args.corpus}; pass --corpus PATH (the folder of guidance to ingest)")
    if args.part == "ingest":  # child process: build both indexes, print the figures as the last line
        from evals.benchmark.ingest import ingest_figures

        print(json.dumps(ingest_figures(args.corpus, args.ours_dir, args.naive_dir)))
        return 0

    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    runs = []
    for number in range(1, args.runs + 1):
        print(f"run {number}/{args.runs} ({machine_description()}) ...", file=sys.stderr, flush=True)
        runs.append(one_run(args, parts))
        print(json.dumps({"run": number, **runs[-1]}), file=sys.stderr, flush=True)
    rows = summarise(runs)
    print(f"machine: {machine_description()}; medians of {len(runs)} run(s)")
    print(f"{'figure':<38} {'ours':>12} {'naive':>12} {'ours/naive':>11}  target")
    for row in rows:
        target = f"{row.get('target', '')} {'met' if row.get('met') else 'NOT met' if 'met' in row else ''}".strip()
        print(f"{row['figure']:<38} {row['ours']!s:>12} {row['naive']!s:>12} {row['ratio']!s:>11}  {target}")
    print(json.dumps({"machine": machine_description(), "runs": runs, "medians": rows}))
    return 0 if all(row.get("met", True) is not False for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
