"""BM25 keyword search (bm25s) with English stopwords and the Snowball stemmer."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import bm25s
import numpy as np

__all__ = ["KeywordIndex", "tokenize"]

_WORD_RE = re.compile(r"[a-z0-9]+(?:[+][a-z0-9]*)?|[a-z]+\+")
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "should",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "about",
        "any",
        "all",
        "also",
        "am",
        "more",
        "most",
        "other",
        "some",
        "such",
    ]
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(text: str) -> list[str]:
    """Lowercase word stems without stopwords ('PP+' is kept as one token)."""
    words = [w for w in _WORD_RE.findall(text.lower().replace("’", "'")) if w not in _STOPWORDS]
    return list(_stemmer().stemWords(words))


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
