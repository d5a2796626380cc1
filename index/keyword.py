"""BM25 keyword search (bm25s) with the shared stopwords, the domain vocabulary and the Snowball stemmer."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import bm25s
import numpy as np

from textkit import STOPWORDS, vocab_tokens, vocabulary

__all__ = ["KeywordIndex", "tokenize"]


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Word stems without stopwords, with the domain vocabulary applied (`textkit.vocabulary`): 'Pupil Premium
    Plus', 'PP+' and 'pupil premium+' are one token, as are 'Virtual School Head' and 'VSH'. Vocabulary tokens are
    not stemmed."""
    vocab = vocabulary()
    words = [w.removesuffix("'s") for w in vocab_tokens(text, vocab)]
    kept = [w for w in words if w not in STOPWORDS]
    plain = [w for w in kept if w not in vocab.token_set]
    stems = iter(_stemmer().stemWords(plain))
    return [w if w in vocab.token_set else next(stems) for w in kept]


class KeywordIndex:
    """BM25 over a fixed list of documents; scores every document for a query."""

    def __init__(self, texts: list[str]) -> None:
        self._bm25 = bm25s.BM25()
        tokens = [tokenize(text) or ["_empty_"] for text in texts]
        self._bm25.index(tokens, show_progress=False)
        self.size = len(texts)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document (zeros when no query term is known)."""
        terms = [term for term in tokenize(query) if term in self._bm25.vocab_dict]
        if not terms or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
