"""Words of a text: lower-cased tokens with the domain vocabulary applied, and content words."""

from __future__ import annotations

import re
from functools import lru_cache

from textkit.stopwords import STOPWORDS
from textkit.vocabulary import Vocabulary, vocabulary

__all__ = ["WORD_RE", "content_words", "light_stem", "raw_words", "vocab_tokens"]

WORD_RE = re.compile(r"[A-Za-z0-9£]+(?:['’][A-Za-z]+)*\+?")
"""A word: letters/digits, an apostrophe-s kept with it ("children's"), and a trailing '+' ("PP+")."""


def raw_words(text: str) -> list[str]:
    """The words of `text` in their own case; hyphens and dashes separate words ("looked-after" = "looked after")."""
    return [w.replace("’", "'") for w in WORD_RE.findall(text)]


def vocab_tokens(text: str, vocab: Vocabulary | None = None) -> list[str]:
    """Lower-cased words with every vocabulary form replaced by its token ("Pupil Premium Plus" -> "ppplus")."""
    return (vocab or vocabulary()).tokens(raw_words(text))


def light_stem(word: str) -> str:
    """Strip one common suffix from a long word (manage/managed/manages -> manag); tokens with digits stay."""
    if len(word) > 4 and not any(c.isdigit() for c in word):
        for suffix in ("ing", "ed", "es", "e", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                return word[: -len(suffix)]
    return word


def content_words(text: str) -> frozenset[str]:
    """Content words of `text`: vocabulary tokens, no stopwords, lightly stemmed. Cached (units recur)."""
    return _content_words(text, vocabulary())


@lru_cache(maxsize=65536)
def _content_words(text: str, vocab: Vocabulary) -> frozenset[str]:
    out = set()
    for tok in vocab.tokens(raw_words(text)):
        if tok in vocab.token_set:
            out.add(tok)
            continue
        tok = tok.removesuffix("'s")
        if tok in STOPWORDS or len(tok) < 2:
            continue
        out.add(light_stem(tok))
    return frozenset(out)
