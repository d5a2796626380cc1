"""BM25 keyword search (bm25s) with the shared stopwords, the domain vocabulary and the Snowball stemmer.

Tokenising every passage through the vocabulary is most of the cost of opening an index, so ingest stores the
passages' tokens in the snapshot (`passage_tokens`) with `tokenizer_key()`, a digest of everything tokenising
depends on (the vocabulary file and whether it is on, the stopwords, the code): an index opened with the same
key builds BM25 from the stored tokens, any other tokenises again.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import bm25s
import numpy as np

from index.texts import embedding_text
from ingest.models import Passage
from textkit import STOPWORDS, vocab_tokens, vocabulary
from textkit.vocabulary import VOCABULARY_PATH

__all__ = ["KeywordIndex", "passage_tokens", "tokenize", "tokenizer_key"]

TOKENIZER_MODULES = ("textkit.words", "textkit.vocabulary", "textkit.stopwords", "index.keyword", "index.texts")


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


@lru_cache(maxsize=4)
def _key(vocabulary_on: bool) -> str:
    digest = hashlib.sha256(b"on" if vocabulary_on else b"off")
    if vocabulary_on:
        digest.update(VOCABULARY_PATH.read_bytes())
    digest.update("\0".join(sorted(STOPWORDS)).encode())
    for name in TOKENIZER_MODULES:
        module = sys.modules.get(name)
        source = getattr(module, "__file__", None)
        digest.update(Path(source).read_bytes() if source else name.encode())
    return digest.hexdigest()[:16]


def tokenizer_key() -> str:
    """A digest of everything `tokenize` depends on, as it is in this process."""
    import index.texts  # noqa: F401  (in sys.modules for the digest)
    import textkit.stopwords
    import textkit.words  # noqa: F401

    return _key(bool(vocabulary().token_set))


def passage_tokens(passages: Sequence[Passage]) -> list[list[str]]:
    """The keyword tokens of each passage's indexed text (what `KeywordIndex` is built from)."""
    return [tokenize(embedding_text(p)) for p in passages]


class KeywordIndex:
    """BM25 over a fixed list of documents; scores every document for a query. `tokens` are the documents'
    tokens when already known (`passage_tokens`, stored at ingest)."""

    def __init__(self, texts: list[str], tokens: list[list[str]] | None = None) -> None:
        self._bm25 = bm25s.BM25()
        if tokens is None or len(tokens) != len(texts):
            tokens = [tokenize(text) for text in texts]
        self._bm25.index([t or ["_empty_"] for t in tokens], show_progress=False)
        self.size = len(texts)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document (zeros when no query term is known)."""
        terms = [term for term in tokenize(query) if term in self._bm25.vocab_dict]
        if not terms or self.size == 0:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
