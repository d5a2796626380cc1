"""Split a passage into citable units: sentences, and bullet lists kept with their lead-in.

Every unit is an exact substring of the passage text after whitespace normalisation (`normalise`), so an
answer made of units can always be found in the quoted passage.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["normalise", "split_units", "clean_unit", "content_words", "STOPWORDS"]

_WS = re.compile(r"\s+")
_MARK = r"(?:[•●▪◦‣∙·\uf0b7]|\((?:[a-h]|[ivx]{1,4})\))"
_BULLET = re.compile(rf"\s(?={_MARK}\s)")
_IS_BULLET = re.compile(rf"^{_MARK}\s+")
_ABBREV = {
    "e.g",
    "i.e",
    "etc",
    "eg",
    "ie",
    "no",
    "para",
    "paras",
    "dr",
    "mr",
    "mrs",
    "ms",
    "st",
    "vol",
    "cf",
    "al",
    "s",
    "p",
    "pp",
    "v",
    "vs",
    "approx",
    "inc",
    "ltd",
    "co",
    "fig",
}
# sentence end: . ! ? optionally followed by closing quotes/brackets and footnote digits, then space + start
_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\d{0,2}(?=\s+(?:[\"'“‘(]?[A-Z0-9•●▪]|\uf0b7))")

STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "from",
        "by",
        "with",
        "about",
        "as",
        "into",
        "onto",
        "than",
        "then",
        "that",
        "this",
        "these",
        "those",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "am",
        "do",
        "does",
        "did",
        "doing",
        "have",
        "has",
        "had",
        "having",
        "can",
        "could",
        "should",
        "would",
        "will",
        "shall",
        "must",
        "may",
        "might",
        "need",
        "needs",
        "i",
        "me",
        "my",
        "we",
        "our",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "it",
        "its",
        "they",
        "them",
        "their",
        "who",
        "whom",
        "whose",
        "what",
        "which",
        "when",
        "where",
        "why",
        "how",
        "there",
        "here",
        "not",
        "no",
        "yes",
        "so",
        "such",
        "any",
        "all",
        "some",
        "each",
        "every",
        "other",
        "also",
        "only",
        "just",
        "very",
        "more",
        "most",
        "much",
        "many",
        "own",
        "same",
        "both",
        "few",
        "further",
        "again",
        "once",
        "up",
        "down",
        "out",
        "over",
        "under",
        "off",
        "per",
        "via",
        "within",
        "tell",
        "told",
        "know",
        "please",
        "thanks",
        "thank",
        "hi",
        "hello",
        "dear",
        "say",
        "says",
        "said",
        "get",
        "gets",
        "got",
        "make",
        "makes",
        "made",
        "apply",
        "applies",
        "anything",
        "something",
        "someone",
        "anyone",
        "one",
        "ones",
        "does",
        "doesn't",
        "isn't",
        "aren't",
        "don't",
        "can't",
        "child",
        "children",
    ]
)
_TOKEN = re.compile(r"[a-z0-9+£]+(?:[-'][a-z0-9]+)*")


def normalise(text: str) -> str:
    """Collapse all whitespace runs to one space and strip."""
    return _WS.sub(" ", text).strip()


_SYNONYMS = [
    (re.compile(r"pupil premium plus|\bpp\+", re.I), " ppplus "),
    (re.compile(r"virtual schools?(?: heads?)?|\bvshs?\b", re.I), " vsh "),  # the VSH leads the virtual school
    (re.compile(r"personal education plans?|\bpeps?\b", re.I), " pep "),
    (re.compile(r"looked[- ]after", re.I), " lookedafter "),
    (re.compile(r"designated safeguarding leads?|\bdsls?\b", re.I), " dsl "),
    (re.compile(r"keeping children safe in education|\bkcsie\b", re.I), " kcsie "),
]


@lru_cache(maxsize=65536)
def content_words(text: str) -> frozenset[str]:
    """Lower-cased content words (stopwords removed, light plural stripping, abbreviations unified).

    Cached: passage units recur across questions."""
    out = set()
    for pattern, repl in _SYNONYMS:
        text = pattern.sub(repl, text)
    for tok in _TOKEN.findall(text.lower().replace("’", "'")):
        if tok in STOPWORDS or len(tok) < 2:
            continue
        if len(tok) > 4 and not tok[-1].isdigit():
            for suffix in ("ing", "ed", "es", "e", "s"):
                if tok.endswith(suffix) and len(tok) - len(suffix) >= 4:
                    tok = tok[: -len(suffix)]  # light stemming: manage/managed/manages -> manag
                    break
        out.add(tok)
    return frozenset(out)


def _sentences(block: str) -> list[str]:
    """Split one block (no bullets inside) into sentences, protecting abbreviations."""
    out: list[str] = []
    start = 0
    for m in _END.finditer(block):
        end = m.end()
        head = block[start:end]
        last_word = re.findall(r"([A-Za-z.]+)[.!?][\"'”’)\]]*\d{0,2}$", head)
        if last_word and (last_word[0].lower().rstrip(".") in _ABBREV or len(last_word[0]) == 1):
            continue
        piece = head.strip()
        if piece:
            out.append(piece)
        start = end
    tail = block[start:].strip()
    if tail:
        out.append(tail)
    # a bare paragraph number ("39.") belongs to the sentence after it
    merged: list[str] = []
    for s in out:
        if merged and re.fullmatch(r"\d{1,3}\.", merged[-1]):
            merged[-1] = f"{merged[-1]} {s}"
        else:
            merged.append(s)
    return merged


def split_units(text: str, max_list_chars: int = 700) -> list[str]:
    """Units of a passage: sentences; a lead-in ending ':' with its bullet items when short enough.

    Long lists are kept as the lead-in sentence and one unit per bullet item.
    """
    flat = normalise(text)
    if not flat:
        return []
    # split at bullet markers into [prose, bullet, bullet, prose...]
    raw = [p.strip() for p in _BULLET.split(" " + flat) if p.strip()]
    pieces: list[str] = []
    for p in raw:
        m = _IS_BULLET.match(p)
        if m:
            sents = _sentences(p[m.end() :])
            if len(sents) > 1 and sents[0].endswith((".", "!", "?")):
                pieces.append(p[: m.end()] + sents[0])
                pieces.append(" ".join(sents[1:]))
                continue
        pieces.append(p)
    units: list[str] = []
    i = 0
    while i < len(pieces):
        piece = pieces[i]
        is_bullet = bool(_IS_BULLET.match(piece))
        if is_bullet:
            units.extend(_bullet_item_units(piece))
            i += 1
            continue
        sents = _sentences(piece)
        # a prose piece followed by bullets: its last sentence is the lead-in
        j = i + 1
        bullets: list[str] = []
        while j < len(pieces) and _IS_BULLET.match(pieces[j]):
            bullets.append(pieces[j])
            j += 1
        if bullets and sents and sents[-1].rstrip().endswith((":", "to", "that", "the", "and", "–", "-")):
            lead = sents.pop()
            units.extend(sents)
            whole = " ".join([lead, *bullets])
            if len(whole) <= max_list_chars:
                units.append(whole)
            else:
                units.append(lead)
                for b in bullets:
                    units.extend(_bullet_item_units(b))
            i = j
            continue
        units.extend(sents)
        i += 1
    return [u for u in units if len(u) > 1]


def clean_unit(unit: str) -> str:
    """Display form of a unit: no leading paragraph number, no trailing footnote digits.

    The result is still a substring of the unit (and so of the passage).
    """
    out = re.sub(r"^(?:Footnote\s+\d{1,3}\s+|\d{1,3}\.\s+(?=\S))", "", unit)
    out = re.sub(r"(?<=[.!?:;])\d{1,2}$", "", out)
    return out.strip()


def _bullet_item_units(item: str) -> list[str]:
    body = _IS_BULLET.sub("", item)
    return [body] if len(body) <= 400 else _sentences(body)
