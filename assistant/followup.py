"""Follow-up questions: "and for previously looked-after children?" read against the previous turn."""

from __future__ import annotations

import re

__all__ = ["is_follow_up", "resolve_follow_up"]

_COHORT = re.compile(
    r"(previously looked[- ]after (?:children|child|pupils?)|"
    r"(?<!previously )looked[- ]after (?:children|child|pupils?)|"
    r"children (?:with|who have) a social worker|children in kinship care(?: arrangements)?|kinship care(?:rs)?|"
    r"adopted children|children (?:who are |who were )?adopted(?: from care)?|"
    r"children on (?:a )?special guardianship orders?|special guardianship(?: orders?)?|"
    r"children on (?:a )?child arrangements orders?|care leavers?|children in need|child in need|"
    r"children missing education|previously looked[- ]after|(?<!previously )looked[- ]after)",
    re.I,
)
_FOLLOW_START = re.compile(
    r"^\s*(and|what about|how about|same for|also|does (?:that|this|it) (?:also )?apply|"
    r"do(?:es)? (?:that|this|it|they|the same)|"
    r"is (?:that|this|it) (?:the same|also|true)|and what|what if|for|or|but)\b",
    re.I,
)
_PRONOUN = re.compile(r"\b(that|this|it|they|them|those|these|the same)\b", re.I)


def is_follow_up(question: str) -> bool:
    """A short question that leans on the previous turn ('and for previously looked-after children?')."""
    words = question.split()
    if len(words) > 14:
        return False
    if _FOLLOW_START.search(question):
        return True
    return len(words) <= 8 and bool(_PRONOUN.search(question)) and not _DOMAIN_STRONG.search(question)


_DOMAIN_STRONG = re.compile(r"\b(pp\+|pupil premium|designated teacher|pep|virtual school head|vsh|funding)\b", re.I)


def resolve_follow_up(question: str, previous: str) -> str:
    """Rewrite a follow-up as a stand-alone question using the previous (redacted) question.

    When the follow-up names a cohort and the previous question named one, the cohort is swapped
    ("Who manages PP+ for looked-after children?" + "and for previously looked-after children?" ->
    "Who manages PP+ for previously looked-after children?"); otherwise the two are joined.
    """
    new = _COHORT.search(question)
    old = _COHORT.search(previous)
    if new and old:
        return previous[: old.start()] + new.group(0) + previous[old.end() :]
    if new:
        stripped = _FOLLOW_START.sub("", question).strip(" ?,.")
        return f"{previous.rstrip(' ?')} for {stripped}?" if stripped else previous
    return f"{previous.rstrip()} {question.strip()}"
