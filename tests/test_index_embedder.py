"""The shared embedder: concurrent callers get their own vectors (FIFO, small jobs batched together)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.embedder import Embedder, get_embedder

QUESTIONS = [
    "Who decides how Pupil Premium Plus is spent?",
    "Does the virtual school cover a child on a child in need plan?",
    "What changed for children in kinship care in September 2024?",
    "Must the virtual school head attend personal education plan meetings?",
    "What is a care leaver entitled to?",
    "children missing education",
    "health assessment",
    "designated teacher",
]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return get_embedder()


def test_concurrent_callers_get_the_vectors_of_their_own_texts(embedder: Embedder) -> None:
    alone = {q: embedder.encode([q])[0] for q in QUESTIONS}
    start = threading.Barrier(len(QUESTIONS) * 2)

    def ask(question: str) -> tuple[str, np.ndarray]:
        start.wait()
        return question, embedder.encode([question])[0]

    with ThreadPoolExecutor(max_workers=len(QUESTIONS) * 2) as pool:
        results = list(pool.map(ask, QUESTIONS * 2))
    for question, vector in results:
        assert vector.shape == (embedder.dimension,)
        assert float(vector @ alone[question]) > 0.9999, question


def test_bulk_and_small_jobs_keep_their_shapes(embedder: Embedder) -> None:
    texts = [f"Paragraph {i} about the personal education plan." for i in range(70)]
    with ThreadPoolExecutor(max_workers=3) as pool:
        bulk = pool.submit(embedder.encode, texts, 16, 2)
        small = pool.submit(embedder.encode, QUESTIONS[:3])
        empty = pool.submit(embedder.encode, [])
        assert bulk.result().shape == (70, embedder.dimension)
        assert small.result().shape == (3, embedder.dimension)
        assert empty.result().shape == (0, embedder.dimension)
    norms = np.linalg.norm(bulk.result(), axis=1)
    assert np.allclose(norms, 1.0, atol=1e-4)


def test_an_encoding_error_reaches_the_caller_and_the_worker_goes_on(
    embedder: Embedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(texts: list[str], batch_size: int, threads: int) -> np.ndarray:
        raise RuntimeError("model failed")

    monkeypatch.setattr(embedder, "_encode_now", broken)
    with pytest.raises(RuntimeError, match="model failed"):
        embedder.encode(["anything"])
    monkeypatch.undo()
    assert embedder.encode(["still works"]).shape == (1, embedder.dimension)
