"""The domain vocabulary (`vocabulary.toml`): one thing said several ways, and everyday words for guidance terms.

`Vocabulary.tokens(words)` replaces every form of a `[[same]]` entry by its token, longest form first, so keyword
search, sentence matching and question typing read "Pupil Premium Plus", "PP+" and "pupil premium+" alike.
`Vocabulary.widen(question)` gives the guidance terms that the question's everyday words point at (`[[means]]`),
and `Vocabulary.topics(question)` the question types its words signal. Forms match whole words, a final "s"/"es"
is optional, and a form written in capitals matches only in capitals (an acronym that is also a word: "SEND").
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["VOCABULARY_PATH", "Vocabulary", "VocabularyError", "set_vocabulary_enabled", "vocabulary"]

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.toml")

_FORM_WORD = re.compile(r"[A-Za-z0-9£]+(?:['’][A-Za-z]+)*\+?")


class VocabularyError(ValueError):
    """A vocabulary file that cannot be read; the message names the file and the entry."""


@dataclass(frozen=True)
class _Match:
    start: int
    end: int
    entry: int


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    entry: int | None = None


def _form_words(form: str) -> tuple[list[str], bool]:
    words = _FORM_WORD.findall(form.replace("’", "'"))
    acronym = form.isupper() or (len(words) == 1 and words[0][:-1].isupper() and words[0][-1] == "s")
    return words, acronym


def _variants(word: str) -> list[str]:
    if word.endswith(("+", "'s")) or any(c.isdigit() for c in word):
        return [word]
    return [word, word + "s", word + "es"]


class Vocabulary:
    """Parsed vocabulary with a word trie for fast longest-match lookup."""

    def __init__(self, data: dict[str, list[dict[str, object]]], source: str = "vocabulary") -> None:
        self.same_tokens: list[str] = []
        self.means_terms: list[list[str]] = []
        self.entry_topics: list[set[str]] = []
        self._kinds: list[str] = []
        # one trie per kind of entry and case rule: (kind, acronym) -> root
        self._roots: dict[tuple[str, bool], _Node] = {(k, a): _Node() for k in ("same", "means") for a in (False, True)}
        forms_seen: list[str] = []
        for kind in ("same", "means"):
            for number, item in enumerate(data.get(kind, []), start=1):
                forms = item.get("forms" if kind == "same" else "says")
                if not isinstance(forms, list) or not forms or not all(isinstance(f, str) for f in forms):
                    raise VocabularyError(f"{source}: [[{kind}]] entry {number} needs a list of words")
                entry = len(self._kinds)
                self._kinds.append(kind)
                topics = item.get("topics", [])
                self.entry_topics.append({str(t) for t in topics} if isinstance(topics, list) else set())
                if kind == "same":
                    token = item.get("token")
                    if not isinstance(token, str) or not re.fullmatch(r"[a-z0-9]+", token):
                        raise VocabularyError(f"{source}: [[same]] entry {number} needs a lower-case `token`")
                    self.same_tokens.append(token)
                    self.means_terms.append([])
                else:
                    self.same_tokens.append("")
                    guidance = item.get("guidance", [])
                    self.means_terms.append([str(g) for g in guidance] if isinstance(guidance, list) else [])
                for form in forms:
                    self._add(form, entry)
                    forms_seen.append(form)
        self.token_set = frozenset(t for t in self.same_tokens if t)
        written = forms_seen + [t for terms in self.means_terms for t in terms]
        self.words = frozenset(
            word.lower() for form in written if not _form_words(form)[1] for word in re.findall(r"[A-Za-z0-9+]+", form)
        )
        """Every word of the entries written in lower case (acronyms left out): domain words, never a name."""

    def _add(self, form: str, entry: int) -> None:
        words, acronym = _form_words(form)
        if not words:
            return
        nodes = [self._roots[(self._kinds[entry], acronym)]]
        for i, word in enumerate(words):
            key = word if acronym else word.lower()
            options = _variants(key) if i == len(words) - 1 else [key]
            nodes = [node.children.setdefault(option, _Node()) for node in nodes for option in options]
        for node in nodes:
            if node.entry is None:
                node.entry = entry

    def _longest(self, kind: str, words: list[str], folded: list[str], i: int) -> _Match | None:
        best: _Match | None = None
        for root, seq in ((self._roots[(kind, False)], folded), (self._roots[(kind, True)], words)):
            node = root
            j = i
            while j < len(seq) and seq[j] in node.children:
                node = node.children[seq[j]]
                j += 1
                if node.entry is not None and (best is None or j > best.end):
                    best = _Match(i, j, node.entry)
        return best

    def matches(self, words: list[str], kind: str) -> list[_Match]:
        """Non-overlapping longest matches of the forms of `kind` ("same" or "means") in `words`, left to right."""
        folded = [w.lower() for w in words]
        out: list[_Match] = []
        i = 0
        while i < len(words):
            m = self._longest(kind, words, folded, i)
            if m is None:
                i += 1
                continue
            out.append(m)
            i = m.end
        return out

    def tokens(self, words: list[str]) -> list[str]:
        """`words` lower-cased, each `[[same]]` form replaced by its token (`[[means]]` words stay as they are)."""
        folded = [w.lower() for w in words]
        out: list[str] = []
        i = 0
        while i < len(words):
            m = self._longest("same", words, folded, i)
            if m is not None:
                out.append(self.same_tokens[m.entry])
                i = m.end
            else:
                out.append(folded[i])
                i += 1
        return out

    def widen(self, words: list[str]) -> list[str]:
        """Guidance terms pointed at by the everyday words among `words` (each once, in order)."""
        terms: list[str] = []
        for m in self.matches(words, "means"):
            for term in self.means_terms[m.entry]:
                if term not in terms:
                    terms.append(term)
        return terms

    def topics(self, words: list[str]) -> set[str]:
        """Question types signalled by `words`."""
        found: set[str] = set()
        for m in [*self.matches(words, "same"), *self.matches(words, "means")]:
            found |= self.entry_topics[m.entry]
        return found

    def has_token(self, words: list[str], token: str) -> bool:
        """True when a form of the `[[same]]` entry `token` occurs in `words`."""
        return token in self.tokens(words)


@lru_cache(maxsize=4)
def _load(path: str) -> Vocabulary:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise VocabularyError(f"{path}: cannot read the vocabulary ({exc})") from exc
    return Vocabulary(data, source=path)


_EMPTY = Vocabulary({}, source="(none)")
_enabled = True


def set_vocabulary_enabled(enabled: bool) -> None:
    """Switch the shipped vocabulary off (an empty one is used) or on, for the whole process. Only to measure
    what the vocabulary adds (`settings.vocabulary`)."""
    global _enabled
    _enabled = enabled


def vocabulary(path: Path | None = None) -> Vocabulary:
    """The vocabulary at `path` (default: the one shipped beside this module), parsed once per process."""
    if path is None and not _enabled:
        return _EMPTY
    return _load(str(path or VOCABULARY_PATH))
