"""Which units (sentences, list items) of a passage a quote spans, and the list context it needs.

- A lead quotes its answering sentence's numbered paragraph whole when that is at most `WHOLE_PARAGRAPH_CHARS`
  long, with the next numbered paragraph of the passage when the first is shorter than `SHORT_PARAGRAPH_CHARS`
  and both fit (a short paragraph often states a rule that the next one explains); a longer paragraph (or text
  without numbered paragraphs) is quoted from the answering sentence on, then back over the whole sentences
  before it while the quote fits in `WHOLE_PARAGRAPH_CHARS`: channels mark the answering sentence
  (`Point.focus`) when the quote does not start with it.
- A further point quotes its sentence's numbered paragraph whole when that is at most `FURTHER_PARAGRAPH_CHARS`
  long, else the sentence with its neighbouring whole sentences up to `FURTHER_CONTEXT_CHARS`.
- A quote that starts at a list item is shown after the list's lead-in (`list_opening`, `item_opening`), and a
  list its paragraph carries on into the next passage is quoted to the item that closes it (`run_on_after`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.quotable import (
    TERM_ENTRY,
    ends_lead_in,
    ends_open,
    is_fragment,
    is_sub_heading,
    is_unclosed,
    says_nothing,
)
from assistant.retrieve import Retriever
from assistant.units import PassageUnits
from ingest.models import Passage
from textkit import is_list_item

__all__ = [
    "FURTHER_CONTEXT_CHARS",
    "FURTHER_PARAGRAPH_CHARS",
    "SHORT_PARAGRAPH_CHARS",
    "WHOLE_PARAGRAPH_CHARS",
    "UnitsFor",
    "ends_badly",
    "further_window",
    "item_opening",
    "lead_window",
    "list_opening",
    "numbered_units",
    "run_on_after",
]

WHOLE_PARAGRAPH_CHARS = 900
"""A numbered paragraph up to this long is quoted whole as a lead."""
SHORT_PARAGRAPH_CHARS = 400
"""A lead paragraph shorter than this is quoted with the next numbered paragraph of its passage, when both fit in
`WHOLE_PARAGRAPH_CHARS`."""
FURTHER_PARAGRAPH_CHARS = 500
"""A numbered paragraph up to this long is quoted whole as a further point."""
FURTHER_CONTEXT_CHARS = 420
"""A further point from a longer paragraph quotes its sentence with its neighbours up to this long in all."""

UnitsFor = Callable[[list[Passage]], dict[str, PassageUnits]]


def _lead_in_before(retriever: Retriever, passage: Passage, paragraph: str, units_for: UnitsFor) -> list[str]:
    """The sentence that introduces a list continued at the start of `passage`, from the previous passage, with
    the list's items that follow it there (so that the quote leaves nothing out); empty when there is none."""
    siblings = retriever.passages(passage.doc_id)
    orders = [p.order for p in siblings]
    if passage.order not in orders:
        return []
    i = orders.index(passage.order)
    if i == 0:
        return []
    prev = siblings[i - 1]
    same_section = not prev.paragraphs and prev.section_path == passage.section_path
    if not (paragraph in prev.paragraphs if paragraph else same_section):
        return []
    texts = units_for([prev])[prev.passage_id].texts
    for start in range(len(texts) - 1, -1, -1):
        if ends_lead_in(texts[start]) and not is_fragment(texts[start]):
            return list(texts[start:])
    return []


def list_opening(
    retriever: Retriever, passage: Passage, units: PassageUnits, first: int, units_for: UnitsFor
) -> tuple[list[str], list[Passage]] | None:
    """What a quote that starts at list item `first` needs before it: the list's lead-in and the items between,
    from this passage, or from the previous one too when the list starts there (then that passage is returned
    as quoted as well); None when the list has no lead-in to show."""
    paragraph = units.paragraphs[first]
    start = first
    while start > 0 and units.paragraphs[start - 1] == paragraph and is_fragment(units.texts[start - 1]):
        start -= 1
    if start > 0:
        lead_in = units.texts[start - 1]
        if units.paragraphs[start - 1] != paragraph or not ends_lead_in(lead_in):
            return None
        return list(units.texts[start - 1 : first]), []
    before = _lead_in_before(retriever, passage, paragraph, units_for)
    if not before:
        return None
    prev = [p for p in retriever.passages(passage.doc_id) if p.order == passage.order - 1]
    return before + list(units.texts[:first]), prev


def item_opening(units: PassageUnits, first: int) -> list[str] | None:
    """What a lead that starts at list item `first` (an item that is a sentence: "ii. The carer is ...") needs
    before it to be read as a whole: the lead-in its list hangs from in the same paragraph of this passage and
    the items between; None when there is none here. Earlier items are passed over; an item ending ":" opens a
    list of its own and is the lead-in of its sub-items."""
    paragraph = units.paragraphs[first]
    for start in range(first - 1, -1, -1):
        before = units.texts[start]
        if units.paragraphs[start] != paragraph:
            return None
        if is_list_item(before) and not before.rstrip().endswith(":"):
            continue
        if ends_lead_in(before) and not is_fragment(before):
            return list(units.texts[start:first])
        return None
    return None


def run_on_after(
    retriever: Retriever, passage: Passage, paragraph: str, units_for: UnitsFor, budget: int
) -> tuple[Passage, list[str]]:
    """The next passage and its first units that close a list the paragraph leaves open at the end of `passage`
    (no units when the next passage does not carry on that paragraph or does not close it within `budget`
    characters). Text without
    numbered paragraphs carries on into the next passage of the same section when that has none either."""
    siblings = retriever.passages(passage.doc_id)
    following = [p for p in siblings if p.order == passage.order + 1]
    if not following:
        return passage, []
    nxt = following[0]
    same_section = not nxt.paragraphs and nxt.section_path == passage.section_path
    if not (paragraph in nxt.paragraphs if paragraph else same_section):
        return passage, []
    units = units_for([nxt])[nxt.passage_id]
    if not units.texts or not (is_list_item(units.texts[0]) or is_fragment(units.texts[0])):
        return nxt, []  # the next passage does not go on with a list item
    taken: list[str] = []
    for text, number in zip(units.texts, units.paragraphs, strict=True):
        if number != paragraph or sum(map(len, taken)) + len(text) > budget:
            return nxt, []
        taken.append(text)
        if not ends_open(text):
            return nxt, taken
    return nxt, []


def lead_window(units: PassageUnits, best: int) -> range:
    """Indices of the units a lead quotes around unit `best`: its whole numbered paragraph when that is short
    (with the next numbered paragraph of the passage when this one starts here, is shorter than
    `SHORT_PARAGRAPH_CHARS` and both fit), else from `best` on, then back over the sentences before it while
    they fit (`_context_before`)."""
    paragraph = units.paragraphs[best]
    same = _paragraph_units(units, best)
    used = sum(len(units.texts[i]) for i in same)
    if paragraph and used <= WHOLE_PARAGRAPH_CHARS:
        end = same[-1] + 1
        # (a paragraph that begins in the previous passage, with a list cut there, is not short)
        starts_here = not is_fragment(units.texts[same[0]])
        if starts_here and used < SHORT_PARAGRAPH_CHARS and end < len(units.texts) and units.paragraphs[end]:
            following = _paragraph_units(units, end)
            if used + sum(len(units.texts[i]) for i in following) <= WHOLE_PARAGRAPH_CHARS:
                end = following[-1] + 1
        return range(same[0], end)
    start = best
    # a fragment (list item) needs the sentence that introduces it, if that is in this passage
    while start > same[0] and is_fragment(units.texts[start]):
        start -= 1
    end = best + 1
    used = sum(len(units.texts[i]) for i in range(start, end))
    while (
        end <= same[-1]
        and used + len(units.texts[end]) <= WHOLE_PARAGRAPH_CHARS
        and not TERM_ENTRY.match(units.texts[end])  # the next entry of a glossary is another answer
    ):
        used += len(units.texts[end])
        end += 1
    return range(_context_before(units, start, same[0], used), end)


def _context_before(units: PassageUnits, start: int, first: int, used: int) -> int:
    """Where a lead starting at unit `start` may start instead: back over the whole sentences before it in its
    paragraph (from unit `first`) while the quote stays within `WHOLE_PARAGRAPH_CHARS` (`used` so far), the
    context that introduces the answering sentence. Never back over a list item, a lead-in, a pointer or a
    heading line, nor before the start of a glossary entry or from a list item."""
    while start > first and used + len(units.texts[start - 1]) <= WHOLE_PARAGRAPH_CHARS:
        if TERM_ENTRY.match(units.texts[start]) or is_list_item(units.texts[start]) or not _sentence(units, start - 1):
            break
        start -= 1
        used += len(units.texts[start])
    return start


def further_window(units: PassageUnits, best: int) -> range:
    """Indices of the units a further point quotes around unit `best`: its whole numbered paragraph when that is
    at most `FURTHER_PARAGRAPH_CHARS` long, else the sentence with the whole sentences after and then before it
    in its paragraph while they fit in `FURTHER_CONTEXT_CHARS` (the sentence alone when it is not one itself)."""
    same = _paragraph_units(units, best)
    if units.paragraphs[best] and sum(len(units.texts[i]) for i in same) <= FURTHER_PARAGRAPH_CHARS:
        return range(same[0], same[-1] + 1)
    if not _whole_sentence(units, best):
        return range(best, best + 1)
    start, end = best, best + 1
    used = len(units.texts[best])
    while end <= same[-1] and _whole_sentence(units, end) and used + len(units.texts[end]) <= FURTHER_CONTEXT_CHARS:
        used += len(units.texts[end])
        end += 1
    while (
        start > same[0]
        and _whole_sentence(units, start - 1)
        and used + len(units.texts[start - 1]) <= FURTHER_CONTEXT_CHARS
    ):
        start -= 1
        used += len(units.texts[start])
    return range(start, end)


def _sentence(units: PassageUnits, i: int) -> bool:
    """Unit `i` is a whole sentence that may be quoted beside the answering one: not a list item or fragment, a
    lead-in, a pointer or a heading line."""
    text = units.texts[i]
    return not (
        is_fragment(text) or is_list_item(text) or ends_open(text) or is_sub_heading(text)
    ) and not says_nothing(units, i)


def _whole_sentence(units: PassageUnits, i: int) -> bool:
    """`_sentence`, and not a glossary entry's start (another answer)."""
    return _sentence(units, i) and not TERM_ENTRY.match(units.texts[i])


def numbered_units(passage_text: str, units: PassageUnits, window: range) -> list[str]:
    """The texts of the units in `window`, a unit that opens another numbered paragraph than the one before it
    preceded by that paragraph's number as the passage prints it ("6.29. Pathway plans ..."), so that a quote of
    two paragraphs stays the passage's own text and shows where the second begins."""
    texts = []
    for i in window:
        text = units.texts[i]
        number = units.paragraphs[i]
        if i > window[0] and number and number != units.paragraphs[i - 1]:
            printed = re.search(rf"(?<![\w.]){re.escape(number)}\.?\s+(?={re.escape(text[:12])})", passage_text)
            text = (printed.group(0).rstrip() if printed else f"{number}.") + " " + text
        texts.append(text)
    return texts


def _paragraph_units(units: PassageUnits, i: int) -> list[int]:
    """Indices of the units of the paragraph unit `i` belongs to (in this passage)."""
    return [j for j, p in enumerate(units.paragraphs) if p == units.paragraphs[i]]


def ends_badly(units: PassageUnits, i: int) -> bool:
    """Unit `i` may not end a quote (see the module's rules)."""
    text = units.texts[i]
    return ends_open(text) or says_nothing(units, i) or is_sub_heading(text) or is_unclosed(text)
