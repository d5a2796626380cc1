"""The packaged word lists that tell a name from a word (`assistant/data/`): guidance vocabulary (never a name),
given names and surnames of many origins, names that are also words, an English word list with its proper
nouns (SCOWL) and place names. Read by redaction (`assistant.names`) and spelling correction."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from textkit import vocabulary as domain_vocabulary

__all__ = ["WordLists", "first_names", "guidance_vocabulary", "word_lists"]


def _words(name: str) -> frozenset[str]:
    """A word list of `assistant/data/` (`.txt` or `.txt.gz`), lower-cased, without comment lines."""
    data = resources.files("assistant").joinpath("data", name).read_bytes()
    text = (gzip.decompress(data) if name.endswith(".gz") else data).decode("utf-8")
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@dataclass(frozen=True)
class WordLists:
    """The word classes (all lower case)."""

    guidance: frozenset[str]
    given: frozenset[str]
    ambiguous: frozenset[str]
    surnames: frozenset[str]
    english: frozenset[str]
    proper: frozenset[str]


@lru_cache(maxsize=1)
def word_lists() -> WordLists:
    """The packaged word lists (loaded once, about 80,000 words)."""
    english = _words("english_words.txt.gz")
    given = _words("first_names.txt")
    return WordLists(
        guidance=_words("guidance_vocabulary.txt") | domain_vocabulary().words,
        given=given,
        ambiguous=_words("ambiguous_names.txt") | (given & english),
        surnames=_words("surnames.txt"),
        english=english,
        proper=_words("proper_nouns.txt.gz") | _words("place_names.txt"),
    )


def first_names() -> frozenset[str]:
    """The packaged list of given names, lower-cased."""
    return word_lists().given


def guidance_vocabulary() -> frozenset[str]:
    """Words that are never redacted as names, lower-cased."""
    return word_lists().guidance
