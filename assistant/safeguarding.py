"""Safeguarding: questions that suggest a child may be at risk get signposting first, on every channel.

`mentions_risk_to_child` is the one place that decides it. Its patterns (a worry about a child, a referral,
harm described) are data: `assistant/data/safeguarding.toml`.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

__all__ = ["SAFEGUARDING_NOTICE", "PATTERNS_FILE", "mentions_risk_to_child", "risk_patterns"]

SAFEGUARDING_NOTICE = (
    "If a child is in immediate danger, call 999. If you are worried a child is at risk of harm, contact "
    "your local authority's children's social care team now, and follow your setting's safeguarding "
    "procedures (your designated safeguarding lead)."
)

PATTERNS_FILE = Path(__file__).resolve().parent / "data" / "safeguarding.toml"


def risk_patterns(path: Path = PATTERNS_FILE) -> dict[str, list[str]]:
    """The patterns of the data file by kind (worry, referral, harm)."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return {kind: [str(p) for p in patterns] for kind, patterns in data.get("patterns", {}).items()}


@lru_cache(maxsize=1)
def _risk() -> re.Pattern[str]:
    alternatives = [p for patterns in risk_patterns().values() for p in patterns]
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in alternatives) + r")\b", re.IGNORECASE)


def _plain(question: str) -> str:
    """Typographic apostrophes and runs of whitespace made plain, so that "I’m worried" reads as "I'm worried"."""
    return re.sub(r"\s+", " ", question.replace("\u2019", "'").replace("\u2018", "'"))


def mentions_risk_to_child(question: str) -> bool:
    """True when the question suggests a child may be at risk of harm (a worry, a referral, harm described)."""
    return bool(_risk().search(_plain(question)))
