"""Stage 3, select: what the answer quotes.

- **Lead**: the best passage's numbered paragraph that holds the sentence closest to the question, whole when
  it is short (with the passage's next numbered paragraph when it is very short: `assistant.spans`); otherwise
  contiguous whole sentences starting at that sentence (a list item is shown with its lead-in, taken from the
  previous passage when the list was cut there; an item that is a sentence of its own, "ii. The carer is ...",
  after its list's lead-in when that is in the same passage and short). The answering sentence is `focus`.
- **Further points**: at most `MAX_FURTHER` more, each a short numbered paragraph whole or whole sentences (not
  a question) from another paragraph, only when they add something (not a near-duplicate of what is quoted) and
  their passage is nearly as likely to answer as the lead's; taken in the further-points order
  (`Candidate.further`, which also reads a second embedding model: `assistant.rerank`).
- **Related**: the next best sections, offered as links without quotes.
No point quotes a sentence that only points at a link the text has lost ("Read the guidance here.") or a heading
line read with its paragraph's number ("Health assessments and plans 40."), and a question standing as a
sub-heading is neither the answering sentence (unless nothing else is) nor the end of a lead. A lead ends
before the next entry of a glossary ("Child protection - ...") and never on text that closes no sentence (a
heading without a bookmark: "2. Ground B - ... Relevant regulation 9(1)(b)"). No point
is a list fragment or a lead-in cut mid-sentence, and none ends on a lead-in (":") or a list item that
runs on ("...; and"): a lead's trailing lead-in is dropped, a list its paragraph (or, in text without numbered
paragraphs, its section) carries on into the next passage is quoted to the item that closes it, and a sentence
whose list is not closed that way is not the lead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.question import COHORTS, Question
from assistant.quotable import (
    asks,
    ends_open,
    is_fragment,
    is_sub_heading,
    leans_back,
    repeats,
    says_nothing,
    without_time_stamp,
)
from assistant.retrieve import Candidate, Retriever
from assistant.spans import (
    FURTHER_PARAGRAPH_CHARS,
    WHOLE_PARAGRAPH_CHARS,
    UnitsFor,
    ends_badly,
    further_window,
    item_opening,
    lead_window,
    list_opening,
    numbered_units,
    run_on_after,
)
from assistant.units import PassageUnits
from ingest.models import Passage
from textkit import content_words, is_list_item, list_item_body, split_units

__all__ = ["FURTHER_RELEVANCE", "MAX_FURTHER", "Point", "Selection", "select"]

MAX_FURTHER = 2
POINT_CHARS = 420
"""Longest further point (whole sentences)."""
FURTHER_RELEVANCE = 0.45
"""A further point's passage must be at least this share as likely to answer as the lead's."""
FACT_RELEVANCE = 0.3
"""The sentence giving the fact a question asks for ("how much ...?") may come from a passage this share as
likely to answer as the lead's: such a sentence is evidence of its own."""
OPENING_CHARS = 600
"""A lead that starts at a list item is shown after its lead-in (and the items between) up to this long."""
RELATED = 3
WORD_WEIGHT = 0.04
"""Sentence choice: embedding similarity plus this much per question word the sentence holds."""
DUTY_WEIGHT = 0.06
"""...plus this much when the question asks about a duty and the sentence states one (or says there is none)."""
OTHER_CHILDREN_PENALTY = 0.12
"""...minus this much when the sentence is about other children than the ones the question names."""
SUB_HEADING_PENALTY = 1.0
"""...minus this much for a question standing as a sub-heading: it asks what the sentences after it answer."""
_DUTY = re.compile(
    r"\b(?:must|mandatory|required|requirement|statutory|duty|duties|obliged|should|not have to)\b", re.I
)


@dataclass
class Point:
    """Whole sentences quoted from one paragraph of one passage."""

    candidate: Candidate
    text: str
    focus: str
    paragraphs: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    """The passages quoted (two when a list's lead-in sits at the end of the previous passage)."""

    @property
    def passage(self) -> Passage:
        return self.candidate.passage


@dataclass
class Selection:
    lead: Point
    further: list[Point] = field(default_factory=list)
    related: list[Candidate] = field(default_factory=list)

    @property
    def points(self) -> list[Point]:
        return [self.lead, *self.further]


def sentence_scores(units: PassageUnits, read: Question, vector: np.ndarray) -> np.ndarray:
    """How well each unit answers: similarity to the question, its words, a stated duty for duty questions, and
    whether it is about the children the question names (a sentence only about others scores lower)."""
    scores = np.asarray(units.vectors @ vector, dtype=np.float64)
    asked_about = read.words & COHORTS
    for i, text in enumerate(units.texts):
        words = content_words(text)
        scores[i] += WORD_WEIGHT * len(read.words & words)
        if read.asks_duty and _DUTY.search(text):
            scores[i] += DUTY_WEIGHT
        if asked_about and words & COHORTS and not asked_about & words:
            scores[i] -= OTHER_CHILDREN_PENALTY
        if says_nothing(units, i):
            scores[i] = -np.inf  # says nothing itself: never the answering sentence
        elif is_sub_heading(text):
            scores[i] -= SUB_HEADING_PENALTY  # asks rather than answers
    return scores


def _point(
    candidate: Candidate,
    units: PassageUnits,
    read: Question,
    question_vector: np.ndarray,
    retriever: Retriever,
    units_for: UnitsFor,
    max_chars: int,
    lead: bool,
) -> Point | None:
    order = [int(i) for i in np.argsort(-sentence_scores(units, read, question_vector), kind="stable")]
    for best in order[:3]:
        if not lead and asks(units.texts[best]):
            continue  # a question the guidance poses (a checklist's) answers nothing as a further point
        window = lead_window(units, best) if lead else further_window(units, best)
        following: Passage = candidate.passage
        run_on: list[str] = []
        if lead and ends_open(units.texts[window[-1]]) and window[-1] == len(units.texts) - 1:
            # the paragraph's list runs on into the next passage: quote it to the item that closes it
            budget = max(POINT_CHARS, WHOLE_PARAGRAPH_CHARS - sum(len(units.texts[i]) for i in window))
            following, run_on = run_on_after(retriever, candidate.passage, units.paragraphs[best], units_for, budget)
        # a quote carried on into the next passage keeps every unit up to it; any other does not end on a lead-in
        # or a running list item, a pointer, a heading line or a question heading
        while not run_on and len(window) > 1 and window[-1] > best and ends_badly(units, window[-1]):
            window = range(window[0], window[-1])
        while len(window) > 1 and window[0] < best and says_nothing(units, window[0]):
            window = range(window[0] + 1, window[-1] + 1)
        texts = numbered_units(candidate.passage.text, units, window)
        passages = [candidate.passage]
        if is_fragment(texts[0]):
            opening = list_opening(retriever, candidate.passage, units, window[0], units_for)
            if opening is None:
                continue  # a list item without its lead-in is not shown
            texts = opening[0] + texts
            passages = opening[1] + passages
        elif lead and is_list_item(texts[0]):
            # an item that is a sentence leads with its list's lead-in when that is short enough to show
            opening_items = item_opening(units, window[0])
            if opening_items is not None and sum(len(t) for t in opening_items) <= OPENING_CHARS:
                texts = opening_items + texts
        if run_on:
            texts += run_on
            passages = [*passages, following]
        elif lead and ends_open(texts[-1]):
            continue  # the answering sentence introduces a list, or is an item that runs on, and is not closed
        if not lead:
            if ends_open(texts[-1]):
                continue  # a lead-in whose list is not quoted says nothing; a list item cut off says too little
            # a further point: the sentence (or its short paragraph), with the one before when it leans on it
            # ("This is ..."), and the next one when it carries on the same thought
            before = window[0] - 1
            if (
                leans_back(texts[0])
                and before >= 0
                and units.paragraphs[before] == units.paragraphs[best]
                and not is_fragment(units.texts[before])
                and len(" ".join(texts)) + len(units.texts[before]) <= max_chars
            ):
                texts.insert(0, units.texts[before])
            nxt = window[-1] + 1
            if (
                nxt < len(units.texts)
                and units.paragraphs[nxt] == units.paragraphs[best]
                and not is_fragment(units.texts[nxt])
                and len(" ".join(texts)) + len(units.texts[nxt]) <= max_chars
                and leans_back(units.texts[nxt])
            ):
                texts.append(units.texts[nxt])
        # an item quoted first is a sentence of its own: no marker before it; a web page's time stamp is no sentence
        texts[0] = without_time_stamp(list_item_body(texts[0]))
        text = " ".join(texts)
        # a further point's sentence may be `max_chars` long, its whole short paragraph `FURTHER_PARAGRAPH_CHARS`
        limit = max_chars if len(window) == 1 else max(max_chars, FURTHER_PARAGRAPH_CHARS)
        if not lead and len(text) > limit:
            continue
        return Point(
            candidate=candidate,
            text=text,
            focus=without_time_stamp(list_item_body(units.texts[best])),
            paragraphs=list(dict.fromkeys(units.paragraphs[i] for i in window if units.paragraphs[i])),
            passages=passages,
        )
    return None


def _fact_point(
    candidates: list[Candidate], units_of: dict[str, PassageUnits], gives: Callable[[str, str], bool], floor: float
) -> Point | None:
    """The first sentence, in the best candidates, that gives the fact asked for (as a further point)."""
    for c in candidates:
        if c.relevance < floor:
            break
        units = units_of[c.passage.passage_id]
        for i, text in enumerate(units.texts):
            if gives(text, c.passage.section) and not is_fragment(text) and len(text) <= POINT_CHARS:
                paragraph = units.paragraphs[i]
                quoted = without_time_stamp(text)
                return Point(c, quoted, quoted, [paragraph] if paragraph else [], [c.passage])
    return None


def select(
    candidates: list[Candidate],
    units_for: UnitsFor,
    read: Question,
    question_vector: np.ndarray,
    retriever: Retriever,
    gives_fact: Callable[[str, str], bool] | None = None,
) -> Selection | None:
    """Choose the lead, further points and related sections from reranked candidates (best first).
    `units_for` gives passages' sentence units (embedding those not seen yet). When the question asks for a
    particular fact (`gives_fact` tells a sentence, read under its passage's heading, that gives it) and no point gives it, the best sentence
    that does becomes the last further point."""
    units_of = units_for([c.passage for c in candidates])
    lead: Point | None = None
    rest: list[Candidate] = []
    for c in candidates:
        if lead is None:
            lead = _point(
                c, units_of[c.passage.passage_id], read, question_vector, retriever, units_for, 10_000, lead=True
            )
            if lead is not None:
                continue
        rest.append(c)
    if lead is None:
        return None
    selection = Selection(lead=lead)
    used_paragraphs = {(lead.passage.doc_id, p) for p in lead.paragraphs} | {(lead.passage.passage_id, "")}
    floor = lead.candidate.relevance * FURTHER_RELEVANCE
    for c in sorted(rest, key=lambda c: -c.further):  # stable: without a second view, the relevance order
        if len(selection.further) >= MAX_FURTHER:
            break
        if c.relevance < floor:
            continue
        units = units_of[c.passage.passage_id]
        point = _point(c, units, read, question_vector, retriever, units_for, POINT_CHARS, lead=False)
        if point is None:
            continue
        key = {(c.passage.doc_id, p) for p in point.paragraphs} or {(c.passage.passage_id, "")}
        if key & used_paragraphs or repeats(point.text, [p.text for p in selection.points]):
            continue
        selection.further.append(point)
        used_paragraphs |= key
    if gives_fact is not None and not any(
        gives_fact(u, p.passage.section) for p in selection.points for u in split_units(p.text)
    ):
        fact = _fact_point(candidates, units_of, gives_fact, lead.candidate.relevance * FACT_RELEVANCE)
        if fact is not None and not repeats(fact.text, [p.text for p in selection.points]):
            selection.further = [*selection.further[: MAX_FURTHER - 1], fact]
    cited_sections = {(p.passage.doc_id, p.passage.section) for p in selection.points}
    for c in rest:
        if len(selection.related) >= RELATED:
            break
        section = (c.passage.doc_id, c.passage.section)
        if section in cited_sections:
            continue
        cited_sections.add(section)
        selection.related.append(c)
    return selection
