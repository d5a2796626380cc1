"""HTTP figures: ours and the naive peer each served by their own process(es), loaded over loopback.

For each kind: a server process starts (`evals.benchmark.children serve`); the questions are each asked once
(first sight), then more until 200 answers have been given, when the process's resident memory is read; then
`requests` requests at `concurrency` are timed. The replica figure runs two server processes sharing one
database (ours) and one index directory, loaded at the same time with `concurrency` in flight each.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from evals.benchmark.children import rss_mb
from evals.benchmark.loadgen import run_load
from settings import REPO_ROOT

__all__ = ["http_figures", "replica_figures"]

RSS_AFTER = 200


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def server(kind: str, data_dir: Path, database_url: str) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A server process of `kind` on a free loopback port, stopped afterwards."""
    port = _free_port()
    command = [sys.executable, "-m", "evals.benchmark.children", "serve", "--kind", kind]
    command += ["--data-dir", str(data_dir), "--port", str(port), "--database-url", database_url]
    process = subprocess.Popen(command, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"{kind} server exited: {(process.stderr.read() if process.stderr else b'')[-800:]!r}"
                )
            try:
                if httpx.get(f"{base_url}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{kind} server did not start")
            time.sleep(0.2)
        yield process, base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _warm(base_url: str, questions: list[str], concurrency: int) -> dict[str, Any]:
    """First sight (each question once), then more answers up to `RSS_AFTER` in all."""
    first = run_load(base_url, questions, len(questions), concurrency)
    more = (
        run_load(base_url, questions, max(0, RSS_AFTER - len(questions)), concurrency)
        if len(questions) < RSS_AFTER
        else {"errors": 0}
    )
    return {"first_sight": first, "errors": first["errors"] + more["errors"]}


def http_figures(
    kind: str, data_dir: Path, questions: list[str], requests: int, concurrency: int, database_url: str
) -> dict[str, Any]:
    """One server process: first-sight pass, RSS after 200 answers, then the measured run."""
    with server(kind, data_dir, database_url) as (process, base_url):
        warm = _warm(base_url, questions, concurrency)
        memory = rss_mb(process.pid)
        measured = run_load(base_url, questions, requests, concurrency)
    first = warm["first_sight"]
    return {
        "first_sight_http_p50_ms": first["p50_ms"],
        "serving_rss_mb_after_200_answers": memory["rss_mb"],
        "answers_per_s": measured["requests_per_s"],
        "http_p50_ms": measured["p50_ms"],
        "http_p95_ms": measured["p95_ms"],
        "http_errors": measured["errors"] + warm["errors"],
    }


def replica_figures(
    kind: str, data_dir: Path, questions: list[str], requests: int, concurrency: int, database_url: str
) -> dict[str, Any]:
    """Two server processes sharing the database and the index directory, loaded together."""
    with (
        server(kind, data_dir, database_url) as (_, first_url),
        server(kind, data_dir, database_url) as (_, second_url),
    ):
        for url in (first_url, second_url):
            _warm(url, questions, concurrency)
        results: dict[str, dict[str, Any]] = {}

        def load(url: str) -> None:
            results[url] = run_load(url, questions, requests // 2, concurrency)

        threads = [threading.Thread(target=load, args=(url,)) for url in (first_url, second_url)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    ok = sum(r["ok"] for r in results.values())
    return {
        "two_replicas_answers_per_s": round(ok / elapsed, 1) if elapsed else 0.0,
        "two_replicas_p50_ms": max(r["p50_ms"] for r in results.values()),
        "two_replicas_errors": sum(r["errors"] for r in results.values()),
    }
