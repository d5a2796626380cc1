"""Stage 6, decline: when the guidance held does not answer, say so and point to the closest sections.

Four checks:
1. **Kinds of question** (`declines.toml`): other nations' law, court and legal processes, how a personal
   entitlement is claimed or paid, decisions about an individual child, unrelated topics. A rule that names
   evidence declines only when the best passage does not contain the (content) words it matched, so a surface
   word never declines on its own ("adopted from care in Wales" is answered from guidance covering England
   and Wales).
2. **Facts asked for**: a question asking for an amount, a date, a timescale, a frequency ("how often") or a
   figure ("what percentage", "how many hours") needs that kind of fact in a quoted sentence
   about what it asks (the sentence holds half the question's own words); an amount stated for other children
   does not count (an amount for children with a social worker does not answer a question about children in
   kinship care).
3. **Evidence**: the lead passage's relevance (the reranker's probability) below `min_evidence_score`.
4. **Nothing close**: no candidate passage comes close to the question by the index's model nor by the second
   view (`nothing_close`): two independently trained models both finding nothing near means the guidance held
   does not cover it ("which interactive whiteboard brand is best?"), whatever the reranker makes of the words.

`evidence_level` turns the lead's relevance into strong / moderate / weak with the thresholds calibrated with
the reranker on held-out questions of both development sets (`ranker.json`), so that "strong" leads with a
right paragraph at least 8 times in 10; "strong" also needs the lead to be first by the fused search order or
by similarity to the question alone (`assistant.rerank.corroborated`).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from assistant.models import EvidenceLevel
from assistant.question import COHORTS, Question
from textkit import content_words, is_list_item, raw_words, split_units, vocabulary

__all__ = [
    "DECLINE_OPENING",
    "NOTHING_CLOSE_REASON",
    "DeclineRule",
    "asked_kind",
    "asks_nothing",
    "evidence_level",
    "fact_finder",
    "gives_fact",
    "heading_context",
    "missing_fact",
    "needed_fact",
    "nothing_close",
    "rule_decline",
    "rules",
    "shows_sections",
]

DECLINE_OPENING = "I could not find this in the guidance I hold."
NOTHING_CLOSE_REASON = "None of the passages I found comes close to this question."
RULES_PATH = Path(__file__).with_name("declines.toml")

_COHORTS = frozenset(
    {"lac", "plac", "cwsw", "childinneed", "childprotectionplan", "kinship", "sgo", "cao", "careleaver"}
)


@dataclass(frozen=True)
class DeclineRule:
    name: str
    evidence: str
    patterns: tuple[re.Pattern[str], ...]
    reason: str
    passages: int = 1
    """How many of the best passages may name what the rule matched (evidence 'named')."""
    sections: bool = True
    """False when the reason is the whole reply: no decline opening, no closest sections (small talk)."""


@lru_cache(maxsize=1)
def rules(path: str = str(RULES_PATH)) -> tuple[DeclineRule, ...]:
    """The decline rules (`declines.toml`), compiled once."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    out = []
    for item in data.get("rule", []):
        if item.get("evidence") not in ("named", "none"):
            raise ValueError(f"{path}: rule {item.get('name')!r} needs evidence = 'named' or 'none'")
        out.append(
            DeclineRule(
                name=item["name"],
                evidence=item["evidence"],
                patterns=tuple(re.compile(p, re.I) for p in item["patterns"]),
                reason=item["reason"],
                passages=int(item.get("passages", 1)),
                sections=bool(item.get("sections", True)),
            )
        )
    return tuple(out)


def asks_nothing(message: str) -> bool:
    """Whether the message asks nothing (thanks, a greeting, "what can you do?"): a rule whose reason is the
    whole reply matches it on its own words. Such a message is never read as a follow-up of the last question."""
    return any(
        not rule.sections and rule.evidence == "none" and any(p.search(message) for p in rule.patterns)
        for rule in rules()
    )


def shows_sections(rule_name: str) -> bool:
    """Whether a decline by the rule named opens with `DECLINE_OPENING` and lists the closest sections."""
    return next((rule.sections for rule in rules() if rule.name == rule_name), True)


def rule_decline(question: str, evidence_texts: list[str]) -> tuple[str, str]:
    """(rule name, reason) of the first rule that declines `question` given the best passages' texts (best
    first: a rule reads as many of them as its `passages` says)."""
    evidence = [content_words(t) for t in evidence_texts]
    for rule in rules():
        for pattern in rule.patterns:
            m = pattern.search(question)
            if not m:
                continue
            if rule.evidence == "none":
                return rule.name, rule.reason
            key = content_words(m.groupdict().get("key") or m.group(0))
            if not key or not any(key <= words for words in evidence[: rule.passages]):
                return rule.name, rule.reason
    return "", ""


_TIMESCALE = re.compile(
    r"\b(?:\d+|one|two|three|four|five|six|ten|twenty) (?:working |school )?(?:days?|weeks?|months?|"
    r"years?|hours?)\b|immediately|as soon as|without delay|promptly|annual|\bage(?:d)? \d+|"
    r"\b(?:until|by|from) (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{4}",
    re.I,
)
"""A sentence that gives a timescale or a length of time."""

_DATE = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w*|"
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\w* \d{4}",
    re.I,
)
"""A sentence that gives a date."""

_A_FIGURE = "a figure (a count or a percentage)"

# questions asking for a specific fact: the quoted text must contain that kind of fact
_FACT_NEEDS: list[tuple[re.Pattern[str], re.Pattern[str], str]] = [
    (
        re.compile(
            r"\bhow much\b(?! (?:time|training|notice|contact|detail|information|say|support|help))|"
            r"\bwhat(?:\W?s| is| are) the (?:£ ?|[\w+-]+ ){0,4}(?:amount|rate|fee|cost|tariff)\b|"
            r"\bper (?:pupil|child|student)\b",
            re.I,
        ),
        re.compile(r"£\s?\d|\d+ per cent|\d+%", re.I),
        "an amount of money",
    ),
    (re.compile(r"\b(?:closing date|what date)\b", re.I), _DATE, "a date"),
    # a deadline is a date or a time limit ("notify them within five working days")
    (
        re.compile(r"\b(?:deadlines?|cut[- ]?offs?)\b", re.I),
        re.compile(f"{_DATE.pattern}|{_TIMESCALE.pattern}", re.I),
        "a deadline",
    ),
    (
        re.compile(
            r"\b(?:timescales?|time limits?|how quickly|within how|how many (?:school |working )?(?:days|weeks|months)|"
            r"max(?:imum)? number of (?:school )?days|how long (?:have|has|do|does) (?:we|i|they|you|he|she) (?:got|have) to)\b",
            re.I,
        ),
        _TIMESCALE,
        "a timescale",
    ),
    (
        re.compile(r"\bhow (?:often|frequently|regularly)\b", re.I),
        re.compile(
            r"\b(?:every|each) (?:term|year|month|week|school year|\d+|two|three|four|six|twelve)\b|\bintervals?\b|"
            r"\bannual(?:ly)?\b|\btermly\b|\bmonthly\b|\byearly\b|\b(?:once|twice) (?:a|an|per|every|each)\b|"
            r"\bat least (?:once|twice)\b|\b(?:\d+|one|two|three|four|six|twelve)[- ]monthly\b",
            re.I,
        ),
        "a frequency",
    ),
    (
        # a decision about the asker ("I've been told I haven't been approved. What can I do?", "my application
        # was refused") or "can I appeal the decision?" asks how to challenge it: the answer must name a way. A
        # school's or council's refusal for a child ("the school refused to ...") asks what the guidance says.
        re.compile(
            r"(?:\b(?:i|we)\b[^.?!]{0,40}\b(?:been|was|were) (?:refused|turned down|rejected|denied)\b|"
            r"\b(?:i|we)\b[^.?!]{0,40}(?:\bnot|n\W?t) (?:been )?approved\b|"
            r"\b(?:my|our) (?:application|request|claim)\b[^.?!]{0,30}\b(?:refused|turned down|rejected|denied|"
            r"not (?:been )?approved)\b)[^?]*?\b(?:what can (?:i|we) do|can (?:i|we) (?:appeal|challenge|complain))\b|"
            r"\b(?:appeal|challenge|complain about|dispute) (?:the|a|this|that|their|his|her) (?:decision|refusal)\b|"
            r"\bhow (?:do|can) (?:i|we) (?:appeal|challenge|complain)\b",
            re.I,
        ),
        re.compile(
            r"\b(?:appeal|complain|complaint|challenge|representations?|independent review|tribunal|ombudsman|"
            r"advoca(?:te|cy))\w*|\b(?:ask|request|apply) for (?:a|an) (?:\w+ )?review\b|"
            r"\breview of (?:the|a|this|that|their) (?:decision|application|refusal)\b",
            re.I,
        ),
        "a way to challenge the decision",
    ),
    # a count or a share ("what percentage of looked-after children ...", "how many hours of tuition ..."); "how many
    # days / weeks / months" asks for a timescale (above). Not "is there a minimum / cap ...": the guidance answers
    # those with a frequency or a rule in a sentence of its own ("This training should be updated at least every two
    # years."). Not a ranking hint: the reranker was trained without it.
    (
        re.compile(
            r"\bwhat (?:percentage|proportion|share|per ?cent)\b|\bwhat ?% of\b|"
            r"\bhow many\b(?! (?:school |working |calendar )?(?:days|weeks|months)\b)",
            re.I,
        ),
        re.compile(
            r"\d|%|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|"
            r"fifty|sixty|hundred|thousand|million|half|third|quarter|per ?cent)\b",
            re.I,
        ),
        _A_FIGURE,
    ),
]


_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_ASKED_KINDS: list[tuple[re.Pattern[str], re.Pattern[str]]] = [
    *((asks, has) for asks, has, what in _FACT_NEEDS if what != _A_FIGURE),
    (
        re.compile(
            r"\bwhen (?:did|was|were|will|does|do)\b.*\b(?:start|begin|come|came|change|introduced|"
            r"extended|added|take on|took on|published)\w*|\bwhat year\b|\bsince when\b|\bfrom when\b",
            re.I,
        ),
        _YEAR,
    ),
    (re.compile(r"\bhow long\b", re.I), _TIMESCALE),
]


def asked_kind(question: Question) -> re.Pattern[str] | None:
    """The kind of fact the question asks for, more widely than `needed_fact` (a date when it asks "when did
    ... start", a length of time for "how long"): a ranking hint only, never a reason to decline."""
    return next((has for asks, has in _ASKED_KINDS if asks.search(question.text)), None)


FACT_TOPIC_SHARE = 0.5
"""A sentence giving the fact must hold at least this share of the question's own words (bar the asking ones),
or at least `FACT_TOPIC_WORDS` of them (a long question says more than the sentence that answers it)."""
FACT_TOPIC_WORDS = 3

_HEADED = {"a timescale", "a frequency", "a deadline"}
"""The kinds of fact whose sentence is read with its section's headings (`heading_context`)."""


def _cohorts(text: str) -> set[str]:
    return set(vocabulary().tokens(raw_words(text))) & COHORTS


def needed_fact(question: Question) -> re.Pattern[str] | None:
    """The kind of fact (as a pattern a sentence must match) the question asks for, if any."""
    return next((has for asks, has, _ in _FACT_NEEDS if _asking(asks, question.text)), None)


_CLAUSE_BREAK = re.compile(
    r"(?<=[.?!;])\s+|\s+[-–—]\s+|,?\s+(?:and|or|but) (?=(?:does|do|is|are|can|could|will|would|should|must|has|have|"
    r"who|what|how|when|where|why|if)\b)",
    re.I,
)


_WHY = re.compile(r"^\W*(?:(?:and|but|so|then)\s+)?why\b", re.I)
_ANY_WHY = re.compile(r"\bwhy\b", re.I)


def _asking(asks: re.Pattern[str], text: str) -> bool:
    """Whether `text` asks for the kind of fact `asks` finds: a match starting in a clause that does not ask why
    ("why does the virtual school keep the PP+ rather than giving us the full amount per child?" asks for a
    reason, not an amount)."""
    matches = list(asks.finditer(text))
    if not matches:
        return False
    if not _ANY_WHY.search(text):
        return True
    starts = [0, *(m.end() for m in _CLAUSE_BREAK.finditer(text))]
    return any(not _WHY.search(text[max(s for s in starts if s <= m.start()) :]) for m in matches)


def _widened(text: str) -> frozenset[str]:
    """The content words of `text` with those of the guidance terms its everyday words point at ("uni" ->
    "higher education")."""
    return content_words(text) | content_words(" ".join(vocabulary().widen(raw_words(text))))


def _topics(question: Question, asks: re.Pattern[str]) -> list[frozenset[str]]:
    """What the fact must be about: the content words of the whole question, and of the part of it that asks for
    the fact when that part says more than a pronoun ("how much is the HE bursary and does the LA pay it in one
    go? mine starts uni in September" asks an amount of the bursary), bar the asking words in both."""
    whole = _widened(asks.sub(" ", question.text))
    asking = next((s for s in _CLAUSE_BREAK.split(question.text) if asks.search(s)), question.text)
    part = _widened(asks.sub(" ", asking))
    return [whole, part] if part and part != whole else [whole]


def _share(topic: frozenset[str], words: frozenset[str]) -> float:
    # a question that is all asking ("I've been told my application was not approved. What can I do?") leaves no
    # topic: then the kind of fact alone decides
    return len(topic & words) / len(topic) if topic else 1.0


def gives_fact(question: Question, sentence: str, context: frozenset[str] = frozenset()) -> bool:
    """True when `sentence` gives the fact the question asks for, about what the question asks (its words, or
    those of the part that asks, with the `context` words of the text that introduces it when it is a list item
    or table row)."""
    for asks, has, _ in _FACT_NEEDS:
        if _asking(asks, question.text):
            words = content_words(sentence) | context
            about = any(
                _share(topic, words) >= FACT_TOPIC_SHARE or len(topic & words) >= FACT_TOPIC_WORDS
                for topic in _topics(question, asks)
            )
            return bool(has.search(sentence)) and about
    return False


def heading_context(question: Question, section: str) -> frozenset[str]:
    """The words of a passage's section path ("Role of personal advisers > Functions > (f) To keep informed ...")
    that a sentence of it is read with when the question asks for a time, a deadline or a frequency: the headings
    say what the section is about. None for an amount, which must be about the question in its own sentence."""
    if not section or not any(_asking(asks, question.text) for asks, _has, what in _FACT_NEEDS if what in _HEADED):
        return frozenset()
    return _widened(section)


def fact_finder(question: Question) -> Callable[[str, str], bool] | None:
    """When the question asks for a particular fact: a test of whether a sentence, under its passage's section
    path, gives it (`gives_fact` with the section's words as context); else None."""
    if needed_fact(question) is None:
        return None
    return lambda sentence, section: gives_fact(question, sentence, heading_context(question, section))


def _giving_fact(question: Question, quoted: list[str], sections: Sequence[str] = ()) -> list[str]:
    """The quoted sentences that give the fact asked for. A list item or table row ("• Group: Looked-after
    children; Amount: £2,570") is read with the sentences before it in its quote, which say what it is about;
    a sentence giving a time or a frequency is read with its passage's section path (`sections`, one per quote)."""
    holding: list[str] = []
    for n, text in enumerate(quoted):
        heading = heading_context(question, sections[n] if n < len(sections) else "")
        before: frozenset[str] = frozenset()
        for unit in split_units(text):
            if gives_fact(question, unit, heading | (before if is_list_item(unit) else frozenset())):
                holding.append(unit)
            if not is_list_item(unit):
                before |= content_words(unit)
    return holding


def missing_fact(question: Question, quoted: list[str], sections: Sequence[str] = ()) -> str:
    """What the question asks for that the quoted sentences (of passages under `sections`, one per quote) do not
    give ('' when nothing is missing)."""
    for asks, _has, what in _FACT_NEEDS:
        if not _asking(asks, question.text):
            continue
        holding = _giving_fact(question, quoted, sections)
        if not holding:
            return what
        if what == "an amount of money":
            # an amount stated for other children (it names a cohort, none of the question's) does not answer
            wanted = _cohorts(question.text)
            if wanted and not any(not _cohorts(s) or wanted & _cohorts(s) for s in holding):
                return "an amount for the children it asks about"
    return ""


def evidence_level(relevance: float, thresholds: dict[str, float], *, corroborated: bool = True) -> EvidenceLevel:
    """strong / moderate / weak from the lead passage's relevance (0..1) and the ranker's thresholds; "strong"
    also needs the lead `corroborated` (first by the fused order or by similarity alone as well)."""
    if relevance >= thresholds["strong_from"] and corroborated:
        return "strong"
    if relevance >= thresholds["moderate_from"]:
        return "moderate"
    return "weak"


def nothing_close(
    dense: Sequence[float],
    second: Callable[[], Sequence[float | None]],
    *,
    dense_below: float,
    second_below: float,
) -> bool:
    """Whether neither model finds a candidate close to the question: every similarity by the index's model
    (`dense`) is below `dense_below` and every second-view similarity (`second()`, None where there is none) below
    `second_below`. `second` is called only when the index's model finds nothing close (it embeds the question).
    False when the second view is missing or `dense_below` is 0 (the check is off): one model's low similarity
    alone declines answerable questions as often as unanswerable ones (evals/README.md)."""
    if dense_below <= 0 or not dense or max(dense) >= dense_below:
        return False
    seconds = [s for s in second() if s is not None]
    return bool(seconds) and max(seconds) < second_below
