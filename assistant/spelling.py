"""Correct misspelt words of a question to words of the guidance held ("desginated", "guardianshp", "recieve").

`Speller(texts)` learns the words of the ingested passages (SymSpell, symspellpy). `correct(question)` replaces a
word that is neither in those passages nor a known word (English, the domain vocabulary, names and places) by the
most frequent guidance word one edit away (a letter left out, added, changed, or two letters swapped). Never
touched: words of fewer than six letters (too many words lie one edit from them: "realy" is "ready" or "really"),
acronyms, words with digits or apostrophes, contractions typed without one ("theyre"), capitalised words inside a
sentence (places, schools) and placeholders ("[name]").
The guidance's own words are what keyword search and the vocabulary match: a misspelt one loses an answer.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from assistant.word_lists import word_lists
from textkit import STOPWORDS

__all__ = ["Speller"]

_WORD = re.compile(r"(?<![\w\[’'])[A-Za-z][a-z]+(?![\w\]’'])")
_SENTENCE_START = re.compile(r"(?:^|[.?!]\s+|\n)\s*$")
MIN_LENGTH = 6
_ENDINGS = ("nt", "re", "ve", "ll")
"""Endings of contractions typed without their apostrophe ("shouldnt", "theyre", "youve", "theyll")."""


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    lists = word_lists()
    return lists.english | lists.guidance | lists.given | lists.surnames | lists.proper | STOPWORDS


def _contraction(word: str) -> bool:
    """A contraction typed without its apostrophe ("theyre", "shouldnt"): a word, not a misspelling."""
    return any(word.endswith(end) and word[: -len(end)] in _known() for end in _ENDINGS) or any(
        f"{word[:i]}'{word[i:]}" in STOPWORDS for i in range(1, len(word))
    )


class Speller:
    """Corrects a question's misspellings to the words of `texts` (the guidance held)."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._texts: Iterable[str] | None = texts
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._symspell: Any = None
        self._top: Any = None

    def _learn(self) -> None:
        """Read the guidance's words, once, when the first unknown word needs them (most questions have none)."""
        with self._lock:
            if self._texts is None:
                return
            from symspellpy import SymSpell, Verbosity  # imported here: most questions never need it

            for text in self._texts:
                self._counts.update(w.lower() for w in re.findall(r"[A-Za-z]{3,}", text))
            self._symspell = SymSpell(max_dictionary_edit_distance=1, prefix_length=7)
            for word, count in self._counts.items():
                self._symspell.create_dictionary_entry(word, count)
            self._top = Verbosity.TOP
            self._texts = None

    def _fix(self, word: str) -> str | None:
        low = word.lower()
        if len(low) < MIN_LENGTH or low in _known() or _contraction(low):
            return None
        if self._texts is not None:
            self._learn()
        if low in self._counts:
            return None
        found = self._symspell.lookup(low, self._top, max_edit_distance=1)
        if not found:
            return None
        term = str(found[0].term)
        return term.capitalize() if word[0].isupper() else term

    def correct(self, text: str) -> str:
        """`text` with its misspelt words replaced (unchanged when nothing is misspelt)."""
        out: list[str] = []
        last = 0
        for m in _WORD.finditer(text):
            word = m.group(0)
            if word[0].isupper() and not _SENTENCE_START.search(text[: m.start()]):
                continue  # a name of a place, a school or a person that redaction kept
            fixed = self._fix(word)
            if fixed is not None and fixed != word:
                out += [text[last : m.start()], fixed]
                last = m.end()
        return "".join(out) + text[last:] if out else text
