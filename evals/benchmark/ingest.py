"""Ingest figures and search quality, ours beside the naive peer's (`evals.benchmark.naive`), in one run.

`ingest_figures(corpus, ours_dir, naive_dir)`: our cold ingest of the corpus into an empty data directory
(passages, sentence units, headings, the ONNX export), our unchanged re-ingest, the naive peer's build and
its re-ingest (a rebuild: it has no incremental path), with the embedding model loaded beforehand for both
(loading it is not ingest work). Then hit@5 / MRR@5 on the development set's answerable questions for our
hybrid index and for the naive peer. A hit is a passage from a gold document on a gold page (page-level, so
the naive peer, which has no paragraph numbers, is scored the same way); ours also gets a paragraph-level
figure. The built indexes stay in the folders given, for the other parts.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from evals.benchmark.naive import NaivePeer, build_naive
from index import GuidanceIndex, ingest_paths
from index.embedder import get_embedder
from settings import REPO_ROOT, Settings

__all__ = ["ingest_figures"]

DEV_SET = REPO_ROOT / "evals" / "datasets" / "dev.jsonl"


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


def ingest_figures(corpus: Path, ours_dir: Path, naive_dir: Path, dev_set: Path = DEV_SET) -> dict[str, Any]:
    """Measure both ingests on `corpus` (see the module notes); returns ours and the naive peer's figures."""
    rows = [json.loads(line) for line in dev_set.read_text(encoding="utf-8").splitlines() if line.strip()]
    questions = [row for row in rows if row["answerable"] and row["gold"]]
    settings = Settings(data_dir=ours_dir)
    get_embedder(settings.embedding_model, settings.torch_threads).encode(["load the model"])
    ours: dict[str, Any] = {}
    naive: dict[str, Any] = {}
    started = time.perf_counter()
    cold = ingest_paths([corpus], settings)
    ours["cold_ingest_s"] = round(time.perf_counter() - started, 2)
    if cold.failed:
        raise SystemExit(f"ingest failed: {cold.failed}")
    ours["passages"], ours["units"] = cold.embedded_passages, cold.embedded_units + cold.reused_units
    started = time.perf_counter()
    again = ingest_paths([corpus], settings)
    ours["unchanged_reingest_s"] = round(time.perf_counter() - started, 3)
    assert again.embedded_passages == 0 and not again.version
    built = build_naive(corpus, naive_dir)
    naive["cold_ingest_s"], naive["passages"] = built["seconds"], built["chunks"]
    naive["unchanged_reingest_s"] = build_naive(corpus, naive_dir)["seconds"]
    ours["index_size_mb"] = round(_folder_size_mb(ours_dir / "index"), 2)
    naive["index_size_mb"] = round(_folder_size_mb(naive_dir), 2)

    index = GuidanceIndex.open(settings)
    peer = NaivePeer.load(naive_dir)
    hybrid_page, hybrid_para, baseline = [], [], []
    for question in questions:
        gold = question["gold"]
        hits = index.search(question["question"], k=5)
        hybrid_page.append([_gold_hit(h.doc.doc_id, h.passage.pages, h.passage.paragraphs, gold, "page") for h in hits])
        hybrid_para.append(
            [_gold_hit(h.doc.doc_id, h.passage.pages, h.passage.paragraphs, gold, "paragraph") for h in hits]
        )
        baseline.append(
            [_gold_hit(doc_id, pages, [], gold, "page") for doc_id, pages, _, _ in peer.search(question["question"], 5)]
        )
    ours.update({f"search_{k}_page": v for k, v in _score(hybrid_page).items()})
    ours.update({f"search_{k}_paragraph": v for k, v in _score(hybrid_para).items()})
    naive.update({f"search_{k}_page": v for k, v in _score(baseline).items()})
    return {"ours": ours, "naive": naive, "questions_scored": len(questions)}
