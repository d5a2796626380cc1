"""The naive peer every benchmark figure is compared with, measured in the same run.

What a first retrieval prototype would do: each document's text cut into fixed 1,000-character chunks,
every chunk embedded with MiniLM through sentence-transformers (torch), a faiss flat inner-product index,
and an "answer" that is the three nearest chunks (no keyword search, no reranking, no sentence selection,
no citations by paragraph, no transcript stored). Its ingest has no incremental path: it rebuilds.

`python -m evals.benchmark.naive build CORPUS FOLDER` builds it; `NaivePeer.load(FOLDER)` opens it;
`naive_app(peer)` serves `POST /api/ask` like ours, for the HTTP figures.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel

__all__ = ["BASELINE_CHARS", "NaivePeer", "build_naive", "naive_app", "naive_chunks"]

BASELINE_CHARS = 1000
TOP = 3


def naive_chunks(corpus: Path) -> list[tuple[str, list[int], str]]:
    """(doc_id, pages, text) chunks of 1,000 characters over each document's text, in page order."""
    from index.build import expand_paths
    from ingest import parse_file

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


def _model() -> Any:
    from index.embedder import get_embedder

    return get_embedder("", 2)


def build_naive(corpus: Path, folder: Path) -> dict[str, Any]:
    """Parse, chunk, embed and write the naive index to `folder`; returns its figures."""
    import faiss

    started = time.perf_counter()
    chunks = naive_chunks(corpus)
    embedder = _model()
    vectors = embedder.encode([text for _, _, text in chunks], batch_size=32, threads=2)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chunks.json").write_text(json.dumps(chunks), encoding="utf-8")
    flat = faiss.IndexFlatIP(vectors.shape[1])
    flat.add(np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(flat, str(folder / "chunks.faiss"))
    return {"chunks": len(chunks), "seconds": round(time.perf_counter() - started, 3)}


class NaivePeer:
    """The naive index, loaded: `search(question)` and `answer(question)` (the nearest chunks)."""

    def __init__(self, folder: Path) -> None:
        import faiss

        self.chunks = [tuple(c) for c in json.loads((folder / "chunks.json").read_text(encoding="utf-8"))]
        self.index = faiss.read_index(str(folder / "chunks.faiss"))
        self.embedder = _model()

    @classmethod
    def load(cls, folder: Path) -> NaivePeer:
        return cls(folder)

    def search(self, question: str, k: int = 5) -> list[tuple[str, list[int], str, float]]:
        vector = self.embedder.encode([question])
        scores, rows = self.index.search(np.ascontiguousarray(vector, dtype=np.float32), k)
        return [(*self.chunks[int(r)], float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

    def answer(self, question: str) -> dict[str, Any]:
        hits = self.search(question, TOP)
        return {
            "question": question,
            "text": "\n\n".join(text for _, _, text, _ in hits),
            "sources": [{"doc_id": doc_id, "pages": pages, "score": score} for doc_id, pages, _, score in hits],
        }


class Ask(BaseModel):
    """The request body of `POST /api/ask`."""

    question: str


def naive_app(peer: NaivePeer) -> Any:
    """A FastAPI app answering `POST /api/ask` with the naive peer (the same request and a similar reply)."""
    from fastapi import FastAPI

    app = FastAPI()

    @app.post("/api/ask")
    def ask(body: Ask) -> dict[str, Any]:
        return {"answer": peer.answer(body.question), "transcript_id": None}

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    return app


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 4 or sys.argv[1] != "build":
        raise SystemExit("usage: python -m evals.benchmark.naive build CORPUS FOLDER")
    print(json.dumps(build_naive(Path(sys.argv[2]), Path(sys.argv[3]))))
