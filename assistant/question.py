"""Question analysis: what kind of question it is, read through the domain vocabulary.

The question type (scope, duties, kinship, funding, safeguarding, general) comes from the topics that the
vocabulary's words signal (`textkit/vocabulary.toml`), so "Who decides how Pupil Premium Plus is spent?",
"can I use PP+ to pay for a tutor" and "what is the pupil premium+ budget for" are all funding questions.
Rules only: cheap, predictable, explainable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.models import QuestionType
from assistant.safeguarding import mentions_risk_to_child
from textkit import content_words, raw_words, vocabulary

__all__ = ["COHORTS", "Question", "analyse"]

COHORTS = frozenset(
    {"lac", "plac", "cwsw", "childinneed", "childprotectionplan", "kinship", "sgo", "cao", "careleaver"}
)
"""Vocabulary tokens that name groups of children: an answer about one group does not answer for another."""

_ASKS_DUTY = re.compile(
    r"(^\s*(?:must|should|shall|do(?:es)?|is|are|has|have)\b.*\b(?:must|have to|has to|required|"
    r"a duty|duty|obliged|statutory|legally|need to|needs to|mandatory|compulsory)\b|^\s*(?:must|shall)\b|"
    r"\b(?:is|are) (?:it|there|this|that|they|schools?|the \w+(?: \w+)?) (?:a )?(?:required|a duty|duty|"
    r"obliged|statutory|mandatory|compulsory)\b|\bdo(?:es)? \w+(?: \w+)? have (?:a duty|to)\b|"
    r"\b(?:must|duty|duties|required|obliged|statutory)\b)",
    re.I,
)
_ASKS_CHANGE = re.compile(
    r"\b(what(?:'s| has| have)? changed|what changes|changed|change(?:s)? (?:to|in|for)|new|updated?|latest|"
    r"since when|from when|when (?:did|was|were|does|do)|extended|extension)\b",
    re.I,
)
_AMOUNT = re.compile(r"£\s?\d|\b\d+(?:\.\d+)? (?:million|billion|thousand)\b", re.I)
"""An amount of money in the question makes it a funding question, whatever its words."""
_TYPE_ORDER: tuple[QuestionType, ...] = ("kinship", "funding", "scope", "duties")


@dataclass
class Question:
    """A (redacted, follow-up resolved) question as the later stages read it."""

    text: str
    question_type: QuestionType
    words: frozenset[str] = field(default_factory=frozenset)
    """Content words of the question and of the guidance terms its everyday words point at."""
    topics: frozenset[str] = field(default_factory=frozenset)
    safeguarding: bool = False
    asks_duty: bool = False
    asks_change: bool = False


def analyse(text: str) -> Question:
    """Read a question: its type, words and what it asks for."""
    vocab = vocabulary()
    words = raw_words(text)
    topics = frozenset(vocab.topics(words) | ({"funding"} if _AMOUNT.search(text) else set()))
    widened = content_words(text)
    for term in vocab.widen(words):
        widened |= content_words(term)
    safeguarding = mentions_risk_to_child(text)
    qtype: QuestionType = "safeguarding" if safeguarding else next((t for t in _TYPE_ORDER if t in topics), "general")
    return Question(
        text=text,
        question_type=qtype,
        words=widened,
        topics=topics,
        safeguarding=safeguarding,
        asks_duty=bool(_ASKS_DUTY.search(text)),
        asks_change=bool(_ASKS_CHANGE.search(text)),
    )
