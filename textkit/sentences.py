"""Split a passage into citable units: sentences, and bullet lists kept with their lead-in.

Every unit is an exact substring of the passage text after whitespace normalisation (`normalise`), so an
answer made of units can always be found in the quoted passage.
"""

from __future__ import annotations

import re

from textkit.space import collapse_space

__all__ = ["clean_unit", "is_list_item", "list_item_body", "list_markers", "normalise", "split_units"]

_MARK = r"(?:[•●▪◦‣∙·\uf0b7]|\((?:[a-h]|[ivx]{1,4})\)|[a-h]\)|(?:i{1,3}|iv|vi{0,3}|ix|x)\.)"
"""List markers: bullets, "(a)", "(iv)", "a)" and "iii." (a lettered or roman-numbered item)."""
_BULLET = re.compile(rf"\s(?={_MARK}\s)")
_IS_BULLET = re.compile(rf"^{_MARK}\s+")
_INNER_MARK = re.compile(rf"(?<=\s){_MARK}(?=\s)")
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
_INITIALS = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
"""Initials with inner full stops ("S.I" of "S.I. 2009/1538", "U.K"): their last full stop ends no sentence."""
# sentence end: . ! ? optionally followed by closing quotes/brackets and footnote digits, then space + start
_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\d{0,2}(?=\s+(?:[\"'“‘(]?[A-Z0-9•●▪]|\uf0b7))")


def is_list_item(unit: str) -> bool:
    """A unit that starts with a list marker ("• ...", "(a) ...", "iii. ...")."""
    return bool(_IS_BULLET.match(unit))


def list_item_body(unit: str) -> str:
    """A unit without the list marker it starts with, if any ("• The plan ..." -> "The plan ...")."""
    return _IS_BULLET.sub("", unit, count=1)


def list_markers(text: str) -> list[re.Match[str]]:
    """The list markers inside `text` that could open an item (a marker between spaces, as `split_units` cuts
    at): bullets, "(a)", "a)", "(iv)", "iii."; whether a lettered one really opens an item is the reader's call."""
    return list(_INNER_MARK.finditer(text))


def normalise(text: str) -> str:
    """Collapse all whitespace runs to one space and strip (`textkit.space.collapse_space`)."""
    return collapse_space(text)


def _sentences(block: str) -> list[str]:
    """Split one block (no bullets inside) into sentences, protecting abbreviations."""
    out: list[str] = []
    start = 0
    for m in _END.finditer(block):
        end = m.end()
        head = block[start:end]
        last_word = re.findall(r"([A-Za-z.]+)[.!?][\"'”’)\]]*\d{0,2}$", head)
        if last_word and (
            last_word[0].lower().rstrip(".") in _ABBREV or len(last_word[0]) == 1 or _INITIALS.fullmatch(last_word[0])
        ):
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
        if merged and re.fullmatch(r"\d{1,3}(?:\.\d{1,3})?\.", merged[-1]):
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


def clean_unit(unit: str, opens_paragraph: bool = True) -> str:
    """Display form of a unit: no leading paragraph number when it opens its paragraph (a number inside the
    text is kept, so that units quoted together stay verbatim), no trailing footnote digits ("allowance.1",
    "allowance. 1"), no list marker left dangling at its end when the item it opens is cut off ("supervised. iii.").

    The result is still a substring of the unit (and so of the passage).
    """
    number = r"|\d{1,3}(?:\.\d{1,3})?\.\s+(?=\S)|[A-H]\.\d{1,3}\.?\s+(?=[A-Z])" if opens_paragraph else ""
    out = re.sub(rf"^(?:Footnote\s+\d{{1,3}}\s+{number})", "", unit)
    out = re.sub(r"(?<=[.!?:;])\s?\d{1,2}$", "", out)  # a footnote number after the full stop
    out = re.sub(rf"(?<=[.!?:;])\s+{_MARK}$", "", out)  # a marker whose item is cut off
    return out.strip()


def _bullet_item_units(item: str) -> list[str]:
    """A list item as units: the whole item with its marker (so that items quoted together stay apart and
    verbatim), or its sentences when it is long."""
    return [item] if len(list_item_body(item)) <= 400 else _sentences(item)
