"""Document metadata read from the text itself: publication date and statutory status."""

from __future__ import annotations

import re
from datetime import date

__all__ = ["detect_date", "detect_status", "MONTHS"]

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_MONTH = r"(January|February|March|April|May|June|July|August|September|October|November|December)"
DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+{_MONTH}\s+((?:19|20)\d\d)\b", re.IGNORECASE)
MONTH_YEAR = re.compile(rf"\b{_MONTH}\s+((?:19|20)\d\d)\b", re.IGNORECASE)
ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)")


def detect_date(text: str) -> tuple[date | None, str]:
    """The first publication-like date in `text` (e.g. a title page) and its wording."""
    candidates: list[tuple[int, date, str]] = []
    for match in DAY_MONTH_YEAR.finditer(text):
        day, month, year = int(match.group(1)), MONTHS[match.group(2).lower()], int(match.group(3))
        try:
            candidates.append((match.start(), date(year, month, day), match.group(0)))
        except ValueError:
            continue
    for match in MONTH_YEAR.finditer(text):
        month, year = MONTHS[match.group(1).lower()], int(match.group(2))
        candidates.append((match.start(), date(year, month, 1), match.group(0)))
    for match in ISO_DATE.finditer(text):
        try:
            value = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            continue
        candidates.append((match.start(), value, value.strftime("%-d %B %Y")))
    if not candidates:
        return None, ""
    _, value, label = min(candidates, key=lambda item: item[0])
    return value, label


def detect_status(text: str) -> str:
    """'statutory', 'non-statutory', 'announcement' or 'unknown' from a document's opening text."""
    lowered = text.lower()
    if "non-statutory" in lowered or "non statutory" in lowered:
        return "non-statutory"
    if "statutory guidance" in lowered:
        return "statutory"
    if re.search(r"\b(press release|news story|announced|announcement)\b", lowered):
        return "announcement"
    if "departmental advice" in lowered or "non-statutory advice" in lowered:
        return "non-statutory"
    return "unknown"
