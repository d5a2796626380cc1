"""Safeguarding: questions that suggest a child may be at risk get signposting first, on every channel."""

from __future__ import annotations

import re

__all__ = ["SAFEGUARDING_NOTICE", "mentions_risk_to_child"]

SAFEGUARDING_NOTICE = (
    "If a child is in immediate danger, call 999. If you are worried a child is at risk of harm, contact "
    "your local authority's children's social care team now, and follow your setting's safeguarding "
    "procedures (your designated safeguarding lead)."
)

_RISK = re.compile(
    r"\b(bruis\w*|hits? (?:him|her|me|them)|hitting (?:him|her|me)|beat(?:s|en|ing)? (?:him|her|me|up)|"
    r"(?:hurt|hurts|hurting|harm(?:s|ing)?) (?:him|her|them)(?:self|selves)?|at risk of (?:significant )?harm|"
    r"being (?:abused|neglected|groomed|hurt|exploited|hit|beaten)|abus(?:e|ed|ing|ive)\b|neglect(?:ed)?\b|"
    r"self[- ]harm\w*|cut(?:s|ting)? (?:him|her|them)sel(?:f|ves)|suicid\w*|kill (?:him|her)self|"
    r"r[au]n(?:s)? away|running away|runaway|gone missing|going missing|missing from (?:home|care)|"
    r"sexual(?:ly)? exploit\w*|exploitation|groom(?:ed|ing)|county lines|fgm|forced marriage|"
    r"(?:unsafe|scared|afraid|frightened) (?:at|to go) home|disclos(?:ed|ure)|injur(?:y|ies|ed))\b",
    re.IGNORECASE,
)


def mentions_risk_to_child(question: str) -> bool:
    """True when the question suggests a child may be at risk of harm."""
    return bool(_RISK.search(question))
