"""Find likely personal names in a question: `redact_names(text, kinds)` puts `[name]` in their place.

Names are found by the word classes of `assistant.word_lists`: guidance vocabulary (never a name, in any case),
given names and surnames of many origins (in any case), and an English word list with its proper nouns (SCOWL).
A word is taken as a name when it is a listed given name; follows a cue ("my pupil", "a child called", "Mr"); is
a possessive ("Kit's"); is capitalised and not an English word or a known proper noun ("Chiamaka"); or stands
with other name-like capitalised words ("Kwame Mensah-Boateng"). Given names that are also words ("Grace",
"Tom") need more evidence: not opening a sentence, a surname after them, or an age ("Tom aged 9"). Guidance
terms are never touched, since the redacted question is what gets searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.word_lists import WordLists, word_lists

__all__ = ["redact_names"]

_CONTRACTION = re.compile(r"(?:n['’]t|['’](?:ve|ll|re|d|m))$")
_PRONOUN_I = re.compile(r"i(?:['’](?:m|ve|d|ll))?")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_CUE = re.compile(
    r"\b(?:(?:my|our|a|the|this|his|her|their)\s+(?:(?:foster|adopted|looked-after)\s+)?(?:pupil|student|child|son|"
    r"daughter|grandchild|grandson|granddaughter|nephew|niece|boy|girl|learner|young person|client|kid|sibling|"
    r"brother|sister|carer|mum|dad|mother|father)(?:\s*,)?(?:\s+(?:is\s+)?(?:called|named))?"
    r"|called|named|name is|name's|known as|mr\.?|mrs\.?|ms\.?|miss|mx\.?|dr\.?)\s+$",
    re.IGNORECASE,
)
_AGE = re.compile(
    r"^(?:,?\s+(?:is\s+|who is\s+)?(?:aged?\s+)?\d{1,2}\b(?:\s*(?:years?|yrs?|y/?o|months?))?|\s*\(\d{1,2}\))"
)


@dataclass
class _Token:
    start: int
    end: int
    word: str  # without a possessive 's
    possessive: bool
    opens_sentence: bool
    placeholder: bool  # part of a [placeholder] written by an earlier pass
    shouted: bool = False  # the text is typed in capitals: case says nothing here

    @property
    def low(self) -> str:
        return self.word.lower()

    @property
    def capitalised(self) -> bool:
        return self.word[:1].isupper() and not (self.shouted and self.opens_sentence)


def _tokens(text: str) -> list[_Token]:
    words = _WORD.findall(text)
    shouted = len(words) >= 3 and sum(w.isupper() for w in words) >= 0.6 * len(words)
    out = []
    for m in _WORD.finditer(text):
        word, possessive = m.group(0), False
        if len(word) > 2 and word[-2] in "'’" and word[-1] in "sS":
            word, possessive = word[:-2], True
        before = text[: m.start()]
        out.append(
            _Token(
                m.start(),
                m.start() + len(m.group(0)),
                word,
                possessive,
                _opens_sentence(before),
                before.endswith("[") and text[m.end() : m.end() + 1] in ("]", " "),
                shouted,
            )
        )
    return out


def _opens_sentence(before: str) -> bool:
    stripped = before.rstrip()
    return not stripped or stripped[-1] in '.!?:;"“(•*-' or "\n" in before[len(stripped) :]


def _is_english(low: str, v: WordLists) -> bool:
    if _CONTRACTION.search(low):  # didn't, I've, we're, they'll
        return True
    parts = re.split(r"['’-]", low)
    return low in v.english or all(p in v.english for p in parts if p)


_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}[’']?s")
"""An acronym in the plural or possessive: "SDQs", "PEPs", "DTs", "SDQ's" (never a name)."""
_MIXED_ACRONYM = re.compile(r"(?=\w*[A-Z]\w*[A-Z])[A-Za-z]{2,4}")
"""A short word with two capitals or more, typed as an acronym: "CiN", "CiC", "SaLT" (never a name)."""


def _guidance(t: _Token, v: WordLists) -> bool:
    """Never a name: guidance vocabulary, our placeholders, the pronoun I ("a child I'm worried about"), and
    acronyms (all capitals, in the plural, "SDQs", or short with two capitals, "CiN"), except capitalised given
    names ("ELLIE") and words of a question typed all in capitals."""
    if t.placeholder or t.low in v.guidance or _PRONOUN_I.fullmatch(t.low):
        return True
    if len(t.word) > 1 and t.word.isupper() and not t.shouted:
        return not (len(t.word) >= 3 and t.low in v.given and t.low not in v.ambiguous)
    return bool(_ACRONYM_PLURAL.fullmatch(t.word) or _MIXED_ACRONYM.fullmatch(t.word)) and not t.shouted


def _namelike(t: _Token, v: WordLists) -> bool:
    """Could be part of a name next to another name word: a listed name, or a capitalised word that is not
    an English word (a proper noun or unknown)."""
    if _guidance(t, v):
        return False
    if t.low in v.surnames or (t.low in v.given and t.low not in v.ambiguous):
        return True
    return t.capitalised and not _is_english(t.low, v)


def _strong(t: _Token, v: WordLists) -> bool:
    """A name on its own evidence: a listed given name that is not a word, or a capitalised word that is
    neither an English word nor a known proper noun (place, nationality...)."""
    if _guidance(t, v):
        return False
    if t.low in v.given and t.low not in v.ambiguous:
        return True
    return t.capitalised and not _is_english(t.low, v) and t.low not in v.proper and t.low not in v.given


def _name_flags(text: str, tokens: list[_Token], v: WordLists) -> list[bool]:
    flags = [False] * len(tokens)
    for i, t in enumerate(tokens):
        if _guidance(t, v):
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) and _adjacent(text, t, tokens[i + 1]) else None
        cue = bool(_CUE.search(text[max(0, t.start - 60) : t.start]))
        if (
            _strong(t, v)
            or (cue and (t.capitalised or not _is_english(t.low, v) or t.low in v.given))
            or (
                t.possessive
                and (t.low in v.given or t.low in v.surnames or not (_is_english(t.low, v) or t.low in v.proper))
            )
        ):
            flags[i] = True
        elif nxt is not None and not t.capitalised and _unknown_pair(t, nxt, v):
            flags[i] = True  # two unknown lower-case words in a row: "zeynab abdikadir"
        elif (t.low in v.given or t.low in v.ambiguous) and t.capitalised:  # also a word: "Grace", "Tom"
            flags[i] = (
                not t.opens_sentence
                or bool(_AGE.match(text[t.end :]))
                or (nxt is not None and (nxt.low in v.surnames or _namelike(nxt, v)))
            )
        elif t.capitalised and t.low not in v.english and nxt is not None and _namelike(nxt, v):
            flags[i] = True  # two proper nouns in a row that are not English words: "Jonah Whitfield"
    # a name runs on over the name-like words next to it ("Olivia Thompson", "tyler jones", "Mensah-Boateng")
    changed = True
    while changed:
        changed = False
        for i in range(len(tokens)):
            if flags[i]:
                continue
            t = tokens[i]
            neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(tokens) and flags[j]]
            if not neighbours or _guidance(t, v):
                continue
            if not any(_adjacent(text, *sorted((t, tokens[j]), key=lambda x: x.start)) for j in neighbours):
                continue
            after_name = any(j == i - 1 for j in neighbours)
            if _namelike(t, v) or (after_name and (t.low in v.surnames or not _is_english(t.low, v) or t.capitalised)):
                flags[i] = changed = True
    return flags


def _unknown_pair(a: _Token, b: _Token, v: WordLists) -> bool:
    def unknown(t: _Token) -> bool:
        return len(t.word) >= 3 and not _is_english(t.low, v) and not _guidance(t, v)

    return unknown(a) and unknown(b)


def _adjacent(text: str, a: _Token, b: _Token) -> bool:
    """Two words separated by nothing but one space (or a hyphen): parts of one name."""
    gap = text[a.end : b.start]
    return gap in (" ", "-") and not a.possessive


def redact_names(text: str, kinds: list[str]) -> str:
    """`text` with each likely name replaced by `[name]`; adds "name" to `kinds` when one was."""
    v = word_lists()
    tokens = _tokens(text)
    flags = _name_flags(text, tokens, v)
    spans: list[list[int]] = []
    for t, flagged in zip(tokens, flags, strict=True):
        if not flagged:
            continue
        end = t.start + len(t.word)  # a possessive keeps its 's: "[name]'s"
        if spans and _adjacent(text, _prev_token(tokens, t), t) and spans[-1][1] == _prev_token(tokens, t).end:
            spans[-1][1] = end
        else:
            spans.append([t.start, end])
    if not spans:
        return text
    out, last = [], 0
    for s, e in spans:
        out += [text[last:s], "[name]"]
        last = e
    out.append(text[last:])
    if "name" not in kinds:
        kinds.append("name")
    return "".join(out)


def _prev_token(tokens: list[_Token], t: _Token) -> _Token:
    i = tokens.index(t)
    return tokens[i - 1] if i else t
