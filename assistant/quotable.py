"""What a unit of guidance text is, for quoting: a sentence that says nothing by itself (a pointer to a lost
link, a heading line), a question standing as a sub-heading, a list fragment, a lead-in, a sentence leaning on
the one before. Pure functions of the text (and, for headings, the units' paragraph numbers); `assistant.select`
uses them to keep every quote whole."""

from __future__ import annotations

import re

from assistant.units import PassageUnits
from textkit import content_words, is_list_item, list_item_body, list_markers

__all__ = [
    "TERM_ENTRY",
    "asks",
    "ends_lead_in",
    "ends_open",
    "is_fragment",
    "is_sub_heading",
    "is_unclosed",
    "leans_back",
    "repeats",
    "says_nothing",
    "without_time_stamp",
]

_POINTER = re.compile(
    r"^(?:read|see|find|click|download|view|visit|access|sign up|follow)\b[^.]{0,200}\b(?:here|below|online)\W*$", re.I
)
"""A sentence that only points at a link lost in the text ("Read the new guidance on ... here.")."""


_HEADING_AND_NUMBER = re.compile(r"^[^.!?]{1,120}\s(\d{1,3}(?:\.\d{1,3})?)\.$")
"""A heading line the PDF gave no bookmark, read with the number of the paragraph under it ("... plans 40.")."""


def says_nothing(units: PassageUnits, i: int) -> bool:
    """A unit with nothing to quote: a pointer to a lost link, or a heading line ending in the number of the
    paragraph that follows it ("Health assessments and plans 40."; not "... when they reach 18.")."""
    body = list_item_body(units.texts[i])
    if _POINTER.match(body):
        return True
    m = _HEADING_AND_NUMBER.match(body)
    numbers = {units.paragraphs[j] for j in (i, i + 1) if j < len(units.paragraphs)}
    return bool(m and m.group(1) in numbers)


_TIME_STAMP = re.compile(
    r"^(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2},? \d{1,2}:\d{2},? \d{4}\s+"
    r"(?:(?:details|summary|contents|overview|documents)\s+(?=[A-Z]))?",
    re.I,
)
"""A web page's time stamp copied into its text, with the page's section word after it ("December 15 11:11 2023
Details Virtual school heads are ...")."""


def without_time_stamp(text: str) -> str:
    """`text` without a web page's time stamp before its first sentence (what is left is still verbatim). Only
    what is quoted loses it: the unit keeps it, so ranking and the choice of sentence do not change."""
    return _TIME_STAMP.sub("", text, count=1)


TERM_ENTRY = re.compile(r"^[A-Z][\w’'(),/ ]{1,60}?\s[–-]\s+[A-Z‘'“]")
"""A glossary entry's opening: "Child protection - Part of ...", "Kinship care – Kinship care is ..."."""

_CLOSED = re.compile(r"[.!?:;][\"'”’)\]*]*\s?\d{0,3}$")


def is_unclosed(text: str) -> bool:
    """Text that ends without closing a sentence and is not a list item: a heading line the PDF gave no bookmark
    ("2. Ground B - The pupil has not continued ... Relevant regulation 9(1)(b)")."""
    if is_list_item(text) or list_markers(text) or ends_open(text):
        return False  # a list, or a sentence running on into one, is closed by its own rules
    return not _CLOSED.search(text.rstrip())


def asks(text: str) -> bool:
    """A question, standing alone or as a list item ("• Does the school have ...?"): it answers nothing."""
    return text.rstrip().rstrip("\"'”’)").endswith("?")


def is_sub_heading(text: str) -> bool:
    """A question standing as a sub-heading of what follows ("Who should carry out the health assessment?")."""
    return asks(text) and not is_list_item(text)


def is_fragment(text: str) -> bool:
    """A unit that does not start a sentence: a list item that is not one ("• the child's carer;"), or text cut
    mid-sentence. An item that is a sentence ("• The carer should ...") may be quoted on its own."""
    body = list_item_body(text)
    return not (body[:1].isupper() or body[:1].isdigit() or body[:1] in "‘'“\"(£")


_LEANS_BACK = {"This", "These", "They", "It", "That", "Those", "Such", "However,", "Here,", "There,"}


def leans_back(text: str) -> bool:
    """A sentence that leans on the one before it ("This is additional funding ...")."""
    return text.split(" ", 1)[0] in _LEANS_BACK


_OPEN_END = (":", ";", ",", " and", " or", "–", "-")


def ends_open(text: str) -> bool:
    """A unit that does not close a sentence: a lead-in (":"), a list item that runs on ("...; and")."""
    return text.rstrip().endswith(_OPEN_END)


def ends_lead_in(text: str) -> bool:
    return text.rstrip().endswith((":", "–", "-", " to", " that", " the", " and", " by"))


def repeats(text: str, quoted: list[str]) -> bool:
    """True when `text` says what one of the `quoted` texts already says: one holds the other, or they share
    more than 60% of their content words."""
    words = content_words(text)
    for other_text in quoted:
        if text in other_text or other_text in text:
            return True
        other = content_words(other_text)
        if words and other and len(words & other) / len(words | other) > 0.6:
            return True
    return False
