"""Approved answers: what a Virtual School Head approved or corrected, served again to the same question.

The stage before retrieval in `Assistant.ask`: when an `ApprovedAnswers` source is given to the assistant
(the storage layer implements it, the channels wire it in), a question that is *the same question in other
words* as an approved one gets the approved answer, labelled "Reviewed by a Virtual School Head on <date>",
with its citations. Nothing approved is served for a question that only looks similar:

1. the two questions' embeddings (the model that embeds questions for retrieval) must be at least
   `approved_match_threshold` alike;
2. and `mismatch()` must find no difference of substance: the same guidance terms (`textkit` vocabulary
   tokens: looked-after vs previously looked-after, PP+ vs pupil premium, local authority...), the same
   numbers, the same proper names, the same limits and negations ("up to" vs "from", "not"), the same
   thing asked for ("who" vs "how much" vs "when"), the shared
   words in the same order ("the school tells the local authority" is not "the local authority tells the
   school"), and no one word swapped for a word of other meaning ("tutor" vs "uniform").

The thresholds are calibrated on `evals/datasets/paraphrases.jsonl` (`python -m evals.paraphrase`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Protocol

import numpy as np

from assistant.models import Answer, Reviewed
from assistant.retrieve import Retriever
from textkit import STOPWORDS, light_stem, raw_words, vocab_tokens, vocabulary

__all__ = [
    "REVIEWED_LABEL",
    "ApprovedAnswers",
    "WordVectors",
    "asks_for",
    "mismatch",
    "reviewed_answer",
    "reviewed_label",
]

REVIEWED_LABEL = "Reviewed by a Virtual School Head on {date}"
_NUMBER = re.compile(r"\d+")
_POSSESSIVE = re.compile(r"(\w)['’]s\b")
_PHRASES = (
    (re.compile(r"\bup to\b", re.I), "until"),
    (re.compile(r"\bfrom (?=what\b|when\b|which\b|\d)", re.I), "since "),
    (re.compile(r"n['’]t\b", re.I), " not"),
)
_LIMITS = {
    **dict.fromkeys(("not", "no", "never", "without", "none", "nobody", "nothing"), "negation"),
    **dict.fromkeys(("until", "till", "before"), "upper bound"),
    **dict.fromkeys(("after", "since"), "lower bound"),
    **dict.fromkeys(("more", "maximum", "most"), "more"),
    **dict.fromkeys(("less", "fewer", "least", "minimum"), "less"),
    **dict.fromkeys(("only", "except", "unless"), "exception"),
}
"""Small words that change what is asked: their kinds must agree between the two questions."""
_ASKS = (
    ("an amount", re.compile(r"\bhow (?:much|many)\b|\bwhat (?:amount|sum|rate)\b", re.I)),
    ("how often", re.compile(r"\bhow (?:often|frequently)\b", re.I)),
    ("how long", re.compile(r"\bhow long\b|\b(?:until|since) (?:what|which)\b", re.I)),
    ("when", re.compile(r"\bwhen\b|\bwhat (?:date|time|day|month|year)\b", re.I)),
    ("where", re.compile(r"\bwhere\b", re.I)),
    ("who", re.compile(r"\bwho(?:m|se)?\b|\bwhich (?:person|people|professional|one)\b", re.I)),
    ("why", re.compile(r"\bwhy\b", re.I)),
)
"""What a question asks for, by its question words: two questions asking for different things differ."""


class ApprovedAnswers(Protocol):
    """A store of approved answers (implemented by `storage.approved.StoredApprovedAnswers`)."""

    def lookup(self, question: str, vector: np.ndarray, index: Retriever) -> Answer | None:
        """The approved answer to `question` (redacted, follow-up resolved; `vector` is its embedding by
        `index.embed`), labelled and ready to serve; None when there is none, or only a stale one."""
        ...

    def generation(self) -> str:
        """Changes whenever what `lookup` may serve changes (channels' answer caches include it)."""
        ...


class WordVectors:
    """Embeddings of single words, cached (for the one-word swap test)."""

    def __init__(self, embed: Callable[[list[str]], np.ndarray], size: int = 4096) -> None:
        self._embed = embed
        self._size = size
        self._cache: dict[str, np.ndarray] = {}

    def __call__(self, words: list[str]) -> np.ndarray:
        missing = [w for w in dict.fromkeys(words) if w not in self._cache]
        if missing:
            if len(self._cache) + len(missing) > self._size:
                self._cache.clear()
            for word, vector in zip(missing, np.asarray(self._embed(missing), dtype=np.float32), strict=True):
                self._cache[word] = vector
        return np.stack([self._cache[w] for w in words])


def _normal(text: str) -> str:
    text = _POSSESSIVE.sub(r"\1", text)
    for pattern, replacement in _PHRASES:
        text = pattern.sub(replacement, text)
    return text


def asks_for(text: str) -> str:
    """What the question's opening words ask for ('an amount', 'who', 'when'...; '' when they do not say)."""
    opening = " ".join(raw_words(_normal(text))[:4])
    return next((kind for kind, pattern in _ASKS if pattern.search(opening)), "")


def _reading(text: str) -> tuple[set[str], list[str], set[str], set[str], dict[str, str]]:
    """Guidance terms, numbers, proper names, limits and what is asked, and content words (stem -> first form) in order."""
    text = _normal(text)
    vocab = vocabulary()
    tokens = vocab_tokens(text)
    terms = {t for t in tokens if t in vocab.token_set}
    plain = {t for t in tokens if t not in vocab.token_set}
    names = {w.lower() for w in raw_words(text)[1:] if w[:1].isupper() and w != "I"} & plain
    limits = {_LIMITS[t] for t in tokens if t in _LIMITS}
    content: dict[str, str] = {}
    for t in tokens:
        if t in vocab.token_set:
            content.setdefault(t, t)
        elif t not in STOPWORDS and len(t) > 1 and t not in _LIMITS:
            content.setdefault(light_stem(t), t)
    return terms, sorted(_NUMBER.findall(text)), names, limits, content


def mismatch(a: str, b: str, words: WordVectors, word_threshold: float) -> str:
    """Why questions `a` and `b` ask different things ('' when no difference of substance is found)."""
    terms_a, numbers_a, names_a, limits_a, content_a = _reading(a)
    terms_b, numbers_b, names_b, limits_b, content_b = _reading(b)
    if terms_a != terms_b:
        return "guidance terms differ: " + ", ".join(sorted(terms_a ^ terms_b))
    if numbers_a != numbers_b:
        return "numbers differ"
    if names_a != names_b:
        return "names differ: " + ", ".join(sorted(names_a ^ names_b))
    if limits_a != limits_b:
        return "limits differ: " + ", ".join(sorted(limits_a ^ limits_b))
    asks_a, asks_b = asks_for(a), asks_for(b)
    if asks_a and asks_b and asks_a != asks_b:
        return f"one asks {asks_a}, the other {asks_b}"
    order_b = list(content_b)
    positions = [order_b.index(w) for w in content_a if w in content_b]
    if any(positions[i] > positions[j] for i in range(len(positions)) for j in range(i + 1, len(positions))):
        return "the shared words come in another order"
    only_a = [form for stem, form in content_a.items() if stem not in content_b]
    only_b = [form for stem, form in content_b.items() if stem not in content_a]
    if only_a and only_b and min(len(only_a), len(only_b)) == 1:
        similar = words(only_a) @ words(only_b).T
        if min(float(similar.max(axis=1).min()), float(similar.max(axis=0).min())) < word_threshold:
            return f"a word is swapped: {', '.join(only_a)} / {', '.join(only_b)}"
    return ""


def reviewed_label(on: date) -> str:
    """'Reviewed by a Virtual School Head on 3 December 2026'."""
    return REVIEWED_LABEL.format(date=f"{on.day} {on:%B %Y}")


def reviewed_answer(stored: Answer, *, asked: str, reviewed_on: date, approved_id: str) -> Answer:
    """The approved answer as served to `asked`: the label first, then the approved text and its citations."""
    label = reviewed_label(reviewed_on)
    answer = stored.model_copy(deep=True)
    answer.question = asked
    answer.text = f"{label}.\n\n{stored.text}"
    answer.reviewed = Reviewed(label=label, date=reviewed_on, approved_id=approved_id)
    answer.conversation_id = ""
    answer.redactions = []
    answer.personal_data_notice = ""
    answer.latency_ms = 0.0
    return answer
