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


# DfE guidance writes these both in full and abbreviated: index and query them as one canonical token.
_ABBREVIATIONS = [
    (re.compile(r"\bpupil premium plus\b"), " pp+ "),
    (re.compile(r"\bvirtual school heads?\b"), " vsh "),
    (re.compile(r"\bvshs\b"), " vsh "),
    (re.compile(r"\bpersonal education plans?\b"), " pep "),
    (re.compile(r"\bpeps\b"), " pep "),
    (re.compile(r"\bspecial guardianship orders?\b"), " sgo "),
    (re.compile(r"\bsgos\b"), " sgo "),
    (re.compile(r"\bchild arrangements? orders?\b"), " cao "),
    (re.compile(r"\bchildren missing education\b"), " cme "),
    (re.compile(r"\bspecial educational needs\b"), " sen "),
    (re.compile(r"\bdesignated safeguarding leads?\b"), " dsl "),
    (re.compile(r"\bindependent reviewing officers?\b"), " iro "),
    (re.compile(r"\bpersonal advisers?\b"), " pa "),
]


def _canonical(text: str) -> str:
    text = text.lower().replace("’", "'")
    for pattern, token in _ABBREVIATIONS:
        text = pattern.sub(token, text)
    return text


def tokenize(text: str) -> list[str]:
    """Lowercase word stems without stopwords; 'PP+' is one token and the common DfE abbreviations
    ('Pupil Premium Plus' = 'PP+', 'Virtual School Head' = 'VSH', 'PEP', 'SGO', ...) match their long forms."""
    words = [w for w in _WORD_RE.findall(_canonical(text)) if w not in _STOPWORDS]
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
