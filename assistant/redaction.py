"""Detect and redact likely personal data in a question BEFORE it is stored, searched or sent to a model.

`redact(text) -> Redaction` replaces, in this order:

| kind        | examples                                                  | placeholder     |
|-------------|-----------------------------------------------------------|-----------------|
| email       | jo.bloggs@school.org.uk                                   | `[email]`       |
| upn         | A123456789012 (unique pupil number, also temporary ones)  | `[UPN]`         |
| ni_number   | AB123456C, AB 12 34 56 C                                  | `[NI number]`   |
| phone       | 07700 900123, +44 7700 900 456, (0113) 496 0000           | `[phone]`       |
| nhs_number  | 943 476 5919, 943-476-5919, 9434765919                    | `[NHS number]`  |
| date        | 14/02/2012, 2012-02-14, 14 February 2012, Feb 14th, DOB   | `[date]`        |
| address     | 12 Acacia Avenue, Leeds; Flat 3, Tower Block, Hyde Estate | `[address]`     |
| postcode    | LS6 2AB, m1 1ae                                           | `[postcode]`    |
| name        | Olivia Thompson, tyler jones, Siobhan O'Leary, aaliyah's  | `[name]`        |

Month-and-year dates ("September 2024") are kept: they name guidance changes, not people (after a birth cue
they are a date of birth and go). Names are found by `assistant.names`, with the word lists of
`assistant.word_lists`; guidance terms are never touched, since the redacted question is what gets searched.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.names import redact_names

__all__ = ["PERSONAL_DATA_NOTICE", "Redaction", "redact"]

PERSONAL_DATA_NOTICE = (
    "I removed what looked like personal details from your question ({kinds}). Please do not share names, "
    "dates of birth, addresses or other identifying details about a child or family: the guidance answer "
    "does not need them."
)


# --- patterns -----------------------------------------------------------------------------------------

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_DAYS = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_UPN = re.compile(r"\b[A-HJ-NP-RT-Z]\s?\d{3}\s?\d{4}\s?\d{2}\s?\d{2}[0-9A-HJ-NP-RT-Z]\b", re.IGNORECASE)
_NI = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+44\s?\(0\)\s?|\+44\s?|\(?0)7\d{3}\)?[\s-]?\d{3}[\s-]?\d{3}"  # mobiles
    r"|(?:\+44\s?\(0\)\s?|\+44\s?|\(?0)(?:\d{2}\)?[\s-]?\d{4}[\s-]?\d{4}|\d{3}\)?[\s-]?\d{3}[\s-]?\d{4}"
    r"|\d{4}\)?[\s-]?\d{3}[\s-]?\d{3}|\d{4}\)?[\s-]?\d{5,6})"  # landlines
    r"|\+(?!44)\d{1,3}[\s-]?\d{2,4}(?:[\s-]?\d{2,4}){2,3}"  # other countries
    r")(?!\w)"
)
_NHS = re.compile(r"(?<![\w-])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\w-])")
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b", re.IGNORECASE)
_PLACE_TYPES = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Crescent|Cres|Court|Ct|Place|Pl|Way|Gardens|"
    r"Terrace|Grove|Hill|Park|Square|Sq|Mews|Row|Walk|View|Rise|Parade|Green|Estate|Block|House|Tower|"
    r"Mansions|Buildings|Cottages|Villas|Wharf|Yard|Gate|Fields|Meadow|Boulevard)"
)
_CAPWORD = r"[^\W\d_][\w'’-]*"
_TOWN = rf"(?:,?\s+(?!{_MONTHS}\b)[A-Z]{_CAPWORD}(?:[ -][A-Z]{_CAPWORD})?(?=\s*(?:[,.;:!?)]|$|\s+[A-Z]{{1,2}}\d)))?"
_ADDRESS = re.compile(
    rf"\b(?:(?i:flat|apartment|apt\.?|unit|room)\s+\d+[a-zA-Z]?(?:,?\s+[A-Z]{_CAPWORD}){{0,6}}"
    rf"|\d{{1,4}}[a-zA-Z]?,?\s+(?:[A-Z]{_CAPWORD}\s+){{1,3}}{_PLACE_TYPES}\b\.?{_TOWN})"
)
_DATE = re.compile(
    r"(?<![\w/.-])(?:"
    r"\d{4}[/.-]\d{1,2}[/.-]\d{1,2}"  # 2012-02-14, 2012/2/14
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 14/02/2012, 14.2.12
    rf"|\d{{1,2}}[/.-]{_MONTHS}[/.-](?:\d{{4}}|\d{{2}})"  # 14-Feb-2012
    rf"|{_DAYS}\d{{1,2}}{_ORD}(?:\s+of)?\s+{_MONTHS}\.?(?:,?\s+\d{{4}})?"  # Tuesday 14th of February 2012
    rf"|{_DAYS}{_MONTHS}\.?\s+\d{{1,2}}{_ORD}(?:,?\s+\d{{4}})?(?!\d)"  # February 14th, 2012
    r")(?![\w/-])",
    re.IGNORECASE,
)
_BIRTH = re.compile(
    rf"\b(?:dob|d\.o\.b\.?|date of birth|birthday|born(?: on| in)?)\s*:?\s*(?:in\s+)?(?:{_MONTHS}\.?\s+)?\d{{4}}\b(?![/.-]\d)",
    re.IGNORECASE,
)


@dataclass
class Redaction:
    """The redacted text and the kinds of personal data removed (in first-found order, no repeats)."""

    text: str
    kinds: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.kinds)

    @property
    def notice(self) -> str:
        """The message shown to the user when something was removed ('' when nothing was)."""
        if not self.kinds:
            return ""
        return PERSONAL_DATA_NOTICE.format(kinds=", ".join(k.replace("_", " ") for k in self.kinds))


def _sub(pattern: re.Pattern[str], placeholder: str, kind: str, text: str, kinds: list[str]) -> str:
    new, n = pattern.subn(placeholder, text)
    if n and kind not in kinds:
        kinds.append(kind)
    return new


def redact(text: str) -> Redaction:
    """Replace likely personal data in `text` with placeholders; see the module docstring for the kinds."""
    kinds: list[str] = []
    out = _sub(_EMAIL, "[email]", "email", text, kinds)
    out = _sub(_UPN, "[UPN]", "upn", out, kinds)
    out = _sub(_NI, "[NI number]", "ni_number", out, kinds)
    out = _sub(_PHONE, "[phone]", "phone", out, kinds)
    out = _sub(_NHS, "[NHS number]", "nhs_number", out, kinds)
    out = _sub(_DATE, "[date]", "date", out, kinds)
    out = _sub(_BIRTH, "[date]", "date", out, kinds)  # "born 2015", "DOB: March 2016"
    out = _sub(_ADDRESS, "[address]", "address", out, kinds)
    out = _sub(_POSTCODE, "[postcode]", "postcode", out, kinds)
    out = redact_names(out, kinds)
    return Redaction(text=out, kinds=kinds)
