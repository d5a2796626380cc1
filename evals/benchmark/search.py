"""Ingest and search figures for a corpus, and search quality against a naive baseline in the same run.

`python -m evals.benchmark.search [--corpus PATH]` prints: cold ingest time (fresh data directory),
unchanged re-ingest time, passages embedded per second, warm search latency p50/p95 over 200 queries,
index size on disk, peak memory, and hit@5 / MRR@5 on the development set's answerable questions for
(a) the hybrid index and (b) a naive baseline: fixed 1,000-character chunks of each document's text,
dense search only. A hit is a passage from a gold document on a gold page (page-level, so the baseline,
which has no paragraph numbers, is scored the same way); the hybrid index also gets a paragraph-level figure.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from index import GuidanceIndex, ingest_paths
from index.build import expand_paths
from index.embedder import get_embedder
from ingest import parse_file
from settings import REPO_ROOT, Settings

__all__ = ["run_search_benchmark"]

DEV_SET = REPO_ROOT / "evals" / "datasets" / "dev.jsonl"
BASELINE_CHARS = 1000
LATENCY_QUERIES = 200


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else 0.0


def _folder_size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def _gold_hit(doc_id: str, pages: list[int], paragraphs: list[str], gold: list[dict[str, Any]], level: str) -> bool:
    for item in gold:
        if item["doc_id"] != doc_id:
            continue
        if level == "paragraph" and item.get("paragraphs"):
            if set(item["paragraphs"]) & set(paragraphs):
                return True
            continue
        if not item.get("pages") or set(item["pages"]) & set(pages):
            return True
    return False


def _score(ranked: list[list[bool]]) -> dict[str, float]:
    hits = [any(row[:5]) for row in ranked]
    reciprocal = [next((1.0 / (i + 1) for i, hit in enumerate(row[:5]) if hit), 0.0) for row in ranked]
    return {"hit@5": round(sum(hits) / len(hits), 3), "mrr@5": round(sum(reciprocal) / len(reciprocal), 3)}


def _baseline_chunks(corpus: Path) -> list[tuple[str, list[int], str]]:
    """(doc_id, pages, text) chunks of 1,000 characters over each document's cleaned text, in page order."""
    files, _, _ = expand_paths([corpus])
    chunks: list[tuple[str, list[int], str]] = []
    for file in files:
        doc = parse_file(file)
        stream: list[tuple[int, str]] = []  # (page, character)
        for passage in doc.passages:
            page = passage.pages[0] if passage.pages else 0
            stream.extend((page, char) for char in passage.text + "\n")
        for start in range(0, len(stream), BASELINE_CHARS):
            piece = stream[start : start + BASELINE_CHARS]
            pages = sorted({page for page, _ in piece if page})
            chunks.append((doc.meta.doc_id, pages, "".join(char for _, char in piece)))
    return chunks


def run_search_benchmark(corpus: Path, dev_set: Path = DEV_SET) -> dict[str, Any]:
    """Measure ingest and search on `corpus`; returns the figures as a flat dictionary."""
    rows = [json.loads(line) for line in dev_set.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [row for row in rows if row["answerable"] and row["gold"]]
    figures: dict[str, Any] = {"questions_scored": len(questions)}
    with tempfile.TemporaryDirectory(prefix="vsh-bench-index-") as tmp:
        settings = Settings(data_dir=Path(tmp))
        get_embedder(settings.embedding_model, settings.torch_threads)  # model load is not ingest work
        started = time.perf_counter()
        cold = ingest_paths([corpus], settings)
        figures["cold_ingest_s"] = round(time.perf_counter() - started, 2)
        figures["passages"] = cold.embedded_passages
        figures["documents"] = len(cold.documents)
        started = time.perf_counter()
        again = ingest_paths([corpus], settings)
        figures["unchanged_reingest_s"] = round(time.perf_counter() - started, 3)
        assert again.embedded_passages == 0
        texts = [q["question"] for q in questions]
        embedder = get_embedder(settings.embedding_model, settings.torch_threads)
        sample = texts * (256 // max(len(texts), 1) + 1)
        started = time.perf_counter()
        embedder.encode(sample[:256])
        figures["embedding_passages_per_s_(256 questions)"] = round(256 / (time.perf_counter() - started), 1)
        figures["cold_ingest_passages_per_s"] = round(cold.embedded_passages / max(figures["cold_ingest_s"], 1e-9), 1)

        index = GuidanceIndex.open(settings)
        queries = (texts * (LATENCY_QUERIES // max(len(texts), 1) + 1))[:LATENCY_QUERIES]
        index.search(queries[0])
        latencies = []
        for query in queries:
            started = time.perf_counter()
            index.search(query, k=5)
            latencies.append((time.perf_counter() - started) * 1000)
        figures["search_p50_ms"] = round(statistics.median(latencies), 2)
        figures["search_p95_ms"] = round(_percentile(latencies, 95), 2)
        figures["index_size_mb"] = round(_folder_size_mb(Path(tmp) / "index"), 2)

        hybrid_page, hybrid_para = [], []
        for question in questions:
            hits = index.search(question["question"], k=5)
            gold = question["gold"]
            hybrid_page.append(
                [_gold_hit(h.doc.doc_id, h.passage.pages, h.passage.paragraphs, gold, "page") for h in hits]
            )
            hybrid_para.append(
                [_gold_hit(h.doc.doc_id, h.passage.pages, h.passage.paragraphs, gold, "paragraph") for h in hits]
            )
        figures.update({f"hybrid_{k}_page": v for k, v in _score(hybrid_page).items()})
        figures.update({f"hybrid_{k}_paragraph": v for k, v in _score(hybrid_para).items()})

    chunks = _baseline_chunks(corpus)
    vectors = embedder.encode([text for _, _, text in chunks])
    baseline = []
    for question in questions:
        scores = vectors @ embedder.encode([question["question"]])[0]
        top = np.argsort(-scores)[:5]
        gold = question["gold"]
        baseline.append([_gold_hit(chunks[i][0], chunks[i][1], [], gold, "page") for i in top])
    figures["baseline_chunks"] = len(chunks)
    figures.update({f"baseline_{k}_page": v for k, v in _score(baseline).items()})
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=REPO_ROOT.parent / "shared" / "corpus")
    args = parser.parse_args()
    figures = run_search_benchmark(args.corpus)
    for key, value in figures.items():
        print(f"{key:<42} {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
