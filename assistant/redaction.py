"""Detect and redact likely personal data in a question BEFORE it is stored, searched or sent to a model.

`redact(text) -> Redaction` replaces, in this order:

| kind        | examples                                                  | placeholder     |
|-------------|-----------------------------------------------------------|-----------------|
| email       | jo.bloggs@school.org.uk                                   | `[email]`       |
| upn         | A123456789012 (unique pupil number, also temporary ones)  | `[UPN]`         |
| ni_number   | AB123456C, AB 12 34 56 C                                  | `[NI number]`   |
| phone       | 07700 900123, +44 7700 900 456, (0113) 496 0000           | `[phone]`       |
| nhs_number  | 943 476 5919, 943-476-5919, 9434765919                    | `[NHS number]`  |
| date        | 14/02/2012, 2012-02-14, 14 February 2012, Feb 14th, DOB   | `[date]`        |
| address     | 12 Acacia Avenue, Leeds; Flat 3, Tower Block, Hyde Estate | `[address]`     |
| postcode    | LS6 2AB, m1 1ae                                           | `[postcode]`    |
| name        | Olivia Thompson, tyler jones, Siobhan O'Leary, aaliyah's  | `[name]`        |

Month-and-year dates ("September 2024") are kept: they name guidance changes, not people (after a birth cue
they are a date of birth and go). Names are found by word classes read from data files in `assistant/data/`:
guidance vocabulary (never a name, in any case), given names and surnames of many origins (in any case), and
an English word list with its proper nouns (SCOWL). A word is taken as a name when it is a listed given name;
follows a cue ("my pupil", "a child called", "Mr"); is a possessive ("Kit's"); is capitalised and not an
English word or a known proper noun ("Chiamaka"); or stands with other name-like capitalised words
("Kwame Mensah-Boateng"). Given names that are also words ("Grace", "Tom") need more evidence: not opening a
sentence, a surname after them, or an age ("Tom aged 9"). Guidance terms are never touched, since the
redacted question is what gets searched.
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from textkit import vocabulary as domain_vocabulary

__all__ = [
    "PERSONAL_DATA_NOTICE",
    "Redaction",
    "Vocabulary",
    "first_names",
    "guidance_vocabulary",
    "redact",
    "vocabulary",
]

PERSONAL_DATA_NOTICE = (
    "I removed what looked like personal details from your question ({kinds}). Please do not share names, "
    "dates of birth, addresses or other identifying details about a child or family: the guidance answer "
    "does not need them."
)


# --- data files ---------------------------------------------------------------------------------------


def _words(name: str) -> frozenset[str]:
    """A word list of `assistant/data/` (`.txt` or `.txt.gz`), lower-cased, without comment lines."""
    data = resources.files("assistant").joinpath("data", name).read_bytes()
    text = (gzip.decompress(data) if name.endswith(".gz") else data).decode("utf-8")
    return frozenset(w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#"))


@dataclass(frozen=True)
class Vocabulary:
    """The word classes redaction reads (all lower case)."""

    guidance: frozenset[str]
    given: frozenset[str]
    ambiguous: frozenset[str]
    surnames: frozenset[str]
    english: frozenset[str]
    proper: frozenset[str]


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    """The packaged word lists (loaded once, about 80,000 words)."""
    english = _words("english_words.txt.gz")
    given = _words("first_names.txt")
    return Vocabulary(
        guidance=_words("guidance_vocabulary.txt") | domain_vocabulary().words,
        given=given,
        ambiguous=_words("ambiguous_names.txt") | (given & english),
        surnames=_words("surnames.txt"),
        english=english,
        proper=_words("proper_nouns.txt.gz") | _words("place_names.txt"),
    )


def first_names() -> frozenset[str]:
    """The packaged list of given names, lower-cased."""
    return vocabulary().given


def guidance_vocabulary() -> frozenset[str]:
    """Words that are never redacted as names, lower-cased."""
    return vocabulary().guidance


# --- patterns -----------------------------------------------------------------------------------------

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAYS = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_UPN = re.compile(r"\b[A-HJ-NP-RT-Z]\s?\d{3}\s?\d{4}\s?\d{2}\s?\d{2}[0-9A-HJ-NP-RT-Z]\b", re.IGNORECASE)
_NI = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+44\s?\(0\)\s?|\+44\s?|\(?0)7\d{3}\)?[\s-]?\d{3}[\s-]?\d{3}"  # mobiles
    r"|(?:\+44\s?\(0\)\s?|\+44\s?|\(?0)(?:\d{2}\)?[\s-]?\d{4}[\s-]?\d{4}|\d{3}\)?[\s-]?\d{3}[\s-]?\d{4}"
    r"|\d{4}\)?[\s-]?\d{3}[\s-]?\d{3}|\d{4}\)?[\s-]?\d{5,6})"  # landlines
    r"|\+(?!44)\d{1,3}[\s-]?\d{2,4}(?:[\s-]?\d{2,4}){2,3}"  # other countries
    r")(?!\w)"
)
_NHS = re.compile(r"(?<![\w-])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\w-])")
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b", re.IGNORECASE)
_PLACE_TYPES = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Crescent|Cres|Court|Ct|Place|Pl|Way|Gardens|"
    r"Terrace|Grove|Hill|Park|Square|Sq|Mews|Row|Walk|View|Rise|Parade|Green|Estate|Block|House|Tower|"
    r"Mansions|Buildings|Cottages|Villas|Wharf|Yard|Gate|Fields|Meadow|Boulevard)"
)
_CAPWORD = r"[^\W\d_][\w'’-]*"
_TOWN = rf"(?:,?\s+(?!{_MONTHS}\b)[A-Z]{_CAPWORD}(?:[ -][A-Z]{_CAPWORD})?(?=\s*(?:[,.;:!?)]|$|\s+[A-Z]{{1,2}}\d)))?"
_ADDRESS = re.compile(
    rf"\b(?:(?i:flat|apartment|apt\.?|unit|room)\s+\d+[a-zA-Z]?(?:,?\s+[A-Z]{_CAPWORD}){{0,6}}"
    rf"|\d{{1,4}}[a-zA-Z]?,?\s+(?:[A-Z]{_CAPWORD}\s+){{1,3}}{_PLACE_TYPES}\b\.?{_TOWN})"
)
_DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"  # 2012-02-14, 2012/2/14
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 14/02/2012, 14.2.12
    rf"|\d{{1,2}}[/.-]{_MONTHS}[/.-](?:\d{{4}}|\d{{2}})"  # 14-Feb-2012
    rf"|{_DAYS}\d{{1,2}}{_ORD}(?:\s+of)?\s+{_MONTHS}\.?(?:,?\s+\d{{4}})?"  # Tuesday 14th of February 2012
    rf"|{_DAYS}{_MONTHS}\.?\s+\d{{1,2}}{_ORD}(?:,?\s+\d{{4}})?(?!\d)"  # February 14th, 2012
    r")(?![\w/-])",
    re.IGNORECASE,
)
_BIRTH = re.compile(
    rf"\b(?:dob|d\.o\.b\.?|date of birth|birthday|born(?: on| in)?)\s*:?\s*(?:in\s+)?(?:{_MONTHS}\.?\s+)?\d{{4}}\b(?![/.-]\d)",
    re.IGNORECASE,
)
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
class Redaction:
    """The redacted text and the kinds of personal data removed (in first-found order, no repeats)."""

    text: str
    kinds: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.kinds)

    @property
    def notice(self) -> str:
        """The message shown to the user when something was removed ('' when nothing was)."""
        if not self.kinds:
            return ""
        return PERSONAL_DATA_NOTICE.format(kinds=", ".join(k.replace("_", " ") for k in self.kinds))


def _sub(pattern: re.Pattern[str], placeholder: str, kind: str, text: str, kinds: list[str]) -> str:
    new, n = pattern.subn(placeholder, text)
    if n and kind not in kinds:
        kinds.append(kind)
    return new


# --- names --------------------------------------------------------------------------------------------


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


def _is_english(low: str, v: Vocabulary) -> bool:
    if _CONTRACTION.search(low):  # didn't, I've, we're, they'll
        return True
    parts = re.split(r"['’-]", low)
    return low in v.english or all(p in v.english for p in parts if p)


_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}[’']?s")
"""An acronym in the plural or possessive: "SDQs", "PEPs", "DTs", "SDQ's" (never a name)."""
_MIXED_ACRONYM = re.compile(r"(?=\w*[A-Z]\w*[A-Z])[A-Za-z]{2,4}")
"""A short word with two capitals or more, typed as an acronym: "CiN", "CiC", "SaLT" (never a name)."""


def _guidance(t: _Token, v: Vocabulary) -> bool:
    """Never a name: guidance vocabulary, our placeholders, the pronoun I ("a child I'm worried about"), and
    acronyms (all capitals, in the plural, "SDQs", or short with two capitals, "CiN"), except capitalised given
    names ("ELLIE") and words of a question typed all in capitals."""
    if t.placeholder or t.low in v.guidance or _PRONOUN_I.fullmatch(t.low):
        return True
    if len(t.word) > 1 and t.word.isupper() and not t.shouted:
        return not (len(t.word) >= 3 and t.low in v.given and t.low not in v.ambiguous)
    return bool(_ACRONYM_PLURAL.fullmatch(t.word) or _MIXED_ACRONYM.fullmatch(t.word)) and not t.shouted


def _namelike(t: _Token, v: Vocabulary) -> bool:
    """Could be part of a name next to another name word: a listed name, or a capitalised word that is not
    an English word (a proper noun or unknown)."""
    if _guidance(t, v):
        return False
    if t.low in v.surnames or (t.low in v.given and t.low not in v.ambiguous):
        return True
    return t.capitalised and not _is_english(t.low, v)


def _strong(t: _Token, v: Vocabulary) -> bool:
    """A name on its own evidence: a listed given name that is not a word, or a capitalised word that is
    neither an English word nor a known proper noun (place, nationality...)."""
    if _guidance(t, v):
        return False
    if t.low in v.given and t.low not in v.ambiguous:
        return True
    return t.capitalised and not _is_english(t.low, v) and t.low not in v.proper and t.low not in v.given


def _name_flags(text: str, tokens: list[_Token], v: Vocabulary) -> list[bool]:
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


def _unknown_pair(a: _Token, b: _Token, v: Vocabulary) -> bool:
    def unknown(t: _Token) -> bool:
        return len(t.word) >= 3 and not _is_english(t.low, v) and not _guidance(t, v)

    return unknown(a) and unknown(b)


def _adjacent(text: str, a: _Token, b: _Token) -> bool:
    """Two words separated by nothing but one space (or a hyphen): parts of one name."""
    gap = text[a.end : b.start]
    return gap in (" ", "-") and not a.possessive


def _redact_names(text: str, kinds: list[str]) -> str:
    v = vocabulary()
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


def redact(text: str) -> Redaction:
    """Replace likely personal data in `text` with placeholders; see the module docstring for the kinds."""
    kinds: list[str] = []
    out = _sub(_EMAIL, "[email]", "email", text, kinds)
    out = _sub(_UPN, "[UPN]", "upn", out, kinds)
    out = _sub(_NI, "[NI number]", "ni_number", out, kinds)
    out = _sub(_PHONE, "[phone]", "phone", out, kinds)
    out = _sub(_NHS, "[NHS number]", "nhs_number", out, kinds)
    out = _sub(_DATE, "[date]", "date", out, kinds)
    out = _sub(_BIRTH, "[date]", "date", out, kinds)  # "born 2015", "DOB: March 2016"
    out = _sub(_ADDRESS, "[address]", "address", out, kinds)
    out = _sub(_POSTCODE, "[postcode]", "postcode", out, kinds)
    out = _redact_names(out, kinds)
    return Redaction(text=out, kinds=kinds)
