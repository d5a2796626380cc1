"""Detect and redact likely personal data in a question BEFORE it is stored, searched or sent to a model.

`redact(text) -> Redaction` replaces, in this order:

| kind        | examples                                      | placeholder     |
|-------------|-----------------------------------------------|-----------------|
| email       | jo.bloggs@school.org.uk                       | `[email]`       |
| ni_number   | AB123456C, AB 12 34 56 C                      | `[NI number]`   |
| phone       | 07700 900123, +44 7700 900123, 020 7946 0018  | `[phone]`       |
| nhs_number  | 943 476 5919 (3-3-4), 9434765919              | `[NHS number]`  |
| postcode    | SW1A 1AA, m1 1ae                              | `[postcode]`    |
| address     | 12 Acacia Avenue, 3b High Street              | `[address]`     |
| date        | 03/04/2015, 3 April 2015, 3rd of April, DOB   | `[date]`        |
| name        | Jamie, Jamie's, "a child called Kit Harper"   | `[name]`        |

Month-and-year dates ("September 2024") are kept: they name guidance changes, not people.
Names are found from a list of common UK given names (`assistant/data/first_names.txt`), cues ("my pupil",
"a child called", "named", "Mr/Mrs/Ms"), and capitalised possessives ("Kit's") that are not guidance
terms. Guidance terms ("Virtual School Head", "Pupil Premium Plus", "Keeping Children Safe") are never
touched: every capitalised word in `GUIDANCE_VOCABULARY` is protected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

__all__ = ["Redaction", "redact", "PERSONAL_DATA_NOTICE", "GUIDANCE_VOCABULARY", "first_names"]

PERSONAL_DATA_NOTICE = (
    "I removed what looked like personal details from your question ({kinds}). Please do not share names, "
    "dates of birth, addresses or other identifying details about a child or family: the guidance answer "
    "does not need them."
)

# Capitalised words that are guidance vocabulary, never names.
GUIDANCE_VOCABULARY = frozenset(
    w.lower()
    for w in [
        "Virtual",
        "School",
        "Schools",
        "Head",
        "Heads",
        "Headteacher",
        "Teacher",
        "Teachers",
        "Designated",
        "Pupil",
        "Pupils",
        "Premium",
        "Plus",
        "Keeping",
        "Children",
        "Child",
        "Safe",
        "Safety",
        "Education",
        "Educational",
        "Local",
        "Authority",
        "Authorities",
        "Council",
        "Councils",
        "Department",
        "Secretary",
        "State",
        "Government",
        "England",
        "English",
        "Wales",
        "Welsh",
        "Scotland",
        "Scottish",
        "Northern",
        "Ireland",
        "Irish",
        "Britain",
        "British",
        "UK",
        "Kinship",
        "Care",
        "Carer",
        "Carers",
        "Social",
        "Worker",
        "Workers",
        "Work",
        "Services",
        "Service",
        "National",
        "Framework",
        "Promoting",
        "Health",
        "Well",
        "Being",
        "Wellbeing",
        "Looked",
        "After",
        "Previously",
        "Special",
        "Guardianship",
        "Guardian",
        "Guardians",
        "Order",
        "Orders",
        "Adoption",
        "Adopted",
        "Arrangements",
        "Act",
        "Acts",
        "Regulations",
        "Guidance",
        "Statutory",
        "Personal",
        "Plan",
        "Plans",
        "PEP",
        "PEPs",
        "SEN",
        "SEND",
        "SENCO",
        "SENCOs",
        "EHC",
        "EHCP",
        "Governing",
        "Body",
        "Bodies",
        "Governor",
        "Governors",
        "Academy",
        "Academies",
        "Trust",
        "College",
        "Colleges",
        "Nursery",
        "Early",
        "Years",
        "Missing",
        "Leavers",
        "Leaver",
        "Transition",
        "Adulthood",
        "Volume",
        "Part",
        "Section",
        "Chapter",
        "Annex",
        "Appendix",
        "Paragraph",
        "Para",
        "Page",
        "Table",
        "Figure",
        "Safeguarding",
        "Lead",
        "DSL",
        "DfE",
        "DFE",
        "Ofsted",
        "NHS",
        "GP",
        "CAMHS",
        "Court",
        "Family",
        "Families",
        "Parent",
        "Parents",
        "Mother",
        "Father",
        "Mum",
        "Dad",
        "Foster",
        "Fostering",
        "Residential",
        "Home",
        "Homes",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Spring",
        "Summer",
        "Autumn",
        "Winter",
        "Term",
        "Year",
        "Key",
        "Stage",
        "Pupils'",
        "Is",
        "Are",
        "Does",
        "Do",
        "Did",
        "Can",
        "Could",
        "Should",
        "Would",
        "Will",
        "Must",
        "May",
        "Might",
        "Shall",
        "Who",
        "What",
        "When",
        "Where",
        "Which",
        "Why",
        "How",
        "If",
        "The",
        "A",
        "An",
        "And",
        "Or",
        "But",
        "In",
        "On",
        "At",
        "For",
        "To",
        "From",
        "Of",
        "With",
        "By",
        "About",
        "Under",
        "Over",
        "My",
        "Our",
        "Your",
        "Their",
        "His",
        "Her",
        "Its",
        "We",
        "I",
        "You",
        "They",
        "He",
        "She",
        "It",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Here",
        "Please",
        "Thanks",
        "Thank",
        "Hi",
        "Hello",
        "Dear",
        "Also",
        "Then",
        "Grant",
        "Grants",
        "Funding",
        "Fund",
        "Memorandum",
        "Understanding",
        "Recovery",
        "Tutoring",
        "Programme",
        "Pilot",
        "Review",
        "Need",
        "Needs",
        "Plus",
        "PP",
        "Virtual's",
        "School's",
        "Head's",
        "Children's",
        "Child's",
        "Authority's",
        "Council's",
        "Teacher's",
        "Government's",
        "Christmas",
        "Easter",
        "Covid",
        "Coronavirus",
        "Act's",
        "Help",
        "Support",
        "Assessment",
        "Assessments",
        "Protection",
        "Plan",
        "Mental",
        "Exclusion",
        "Exclusions",
        "Attendance",
        "Admissions",
        "Admission",
        "Alternative",
        "Provision",
        "Unit",
        "Units",
        "Independent",
        "Reviewing",
        "Officer",
        "Officers",
        "IRO",
        "Corporate",
        "Parenting",
        "Board",
        "Panel",
        "Census",
        "January",
        "Welsh",
        "Cabinet",
        "Office",
        "Minister",
        "Association",
        "Directors",
        "ADCS",
        "NAVSH",
        "NAHT",
        "Ford",
        "Not",
        "None",
        "Yes",
        "No",
        "Ok",
        "OK",
    ]
)

# Given names that are also ordinary words: redacted only after a cue or as a possessive.
AMBIGUOUS = frozenset(
    [
        "will",
        "may",
        "june",
        "april",
        "august",
        "grace",
        "hope",
        "faith",
        "joy",
        "rose",
        "mark",
        "bill",
        "frank",
        "summer",
        "holly",
        "amber",
        "jack",
        "sam",
        "ruby",
        "autumn",
        "dawn",
        "faith",
        "pat",
        "ray",
        "sky",
        "max",
        "taylor",
        "harper",
        "carter",
        "mason",
        "lee",
        "dean",
        "jordan",
        "austin",
    ]
)

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|jun(?:e)?|jul(?:y)?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_NI = re.compile(r"\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.IGNORECASE)
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+44\s?\(0\)\s?|\+44\s?|0)7\d{3}[\s-]?\d{3}[\s-]?\d{3}"  # mobiles
    r"|(?:\+44\s?\(0\)\s?|\+44\s?|0)(?:\d{2}[\s-]?\d{4}[\s-]?\d{4}|\d{3}[\s-]?\d{3}[\s-]?\d{4}"
    r"|\d{4}[\s-]?\d{3}[\s-]?\d{3}|\d{4}[\s-]?\d{5,6})"  # landlines
    r")(?!\w)"
)
_NHS = re.compile(r"(?<![\w-])\d{3}[\s-]?\d{3}[\s-]?\d{4}(?![\w-])")
_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}\d[A-Z\d]?|GIR)\s?\d[A-Z]{2}\b", re.IGNORECASE)
_STREET_TYPES = (
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Ln|Close|Drive|Dr|Crescent|Cres|Court|Ct|Place|Pl|Way|Gardens|"
    r"Terrace|Grove|Hill|Park|Square|Sq|Mews|Row|Walk|View|Rise|Parade|Green)"
)
_ADDRESS = re.compile(
    rf"\b(?:flat\s+\d+[a-z]?,?\s+)?\d{{1,4}}[a-z]?,?\s+(?:[A-Z][a-z']+\s+){{1,3}}{_STREET_TYPES}\b\.?",
)
_DATE = re.compile(
    r"\b(?:"
    r"\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"  # 03/04/2015
    r"|\d{4}-\d{2}-\d{2}"  # 2015-04-03
    rf"|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTHS}\.?(?:,?\s+\d{{4}})?"  # 3rd of April 2015
    rf"|{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?!\d)"  # April 3, 2015
    r")\b",
    re.IGNORECASE,
)
_DOB = re.compile(r"\b(?:dob|d\.o\.b\.?|date of birth|born(?: on)?)\s*:?\s*(?=\S)", re.IGNORECASE)
_CAP = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"
_NAME_CUE = re.compile(
    r"\b(?i:(?:my|our|a|the|this)\s+(?:pupil|student|child|son|daughter|foster child|grandchild|"
    r"grandson|granddaughter|nephew|niece|boy|girl|learner|young person|client|kid)"
    r"(?:\s*,)?(?:\s+(?:is\s+)?(?:called|named))?"
    r"|called|named|name is|known as|mr\.?|mrs\.?|ms\.?|miss|mx\.?|dr\.?)\s+"
    rf"({_CAP}(?:\s+{_CAP})?)"
)
_POSSESSIVE = re.compile(rf"\b({_CAP})['’]s\b")
_WORD = re.compile(rf"\b{_CAP}\b")


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


@lru_cache(maxsize=1)
def first_names() -> frozenset[str]:
    """The packaged list of common UK given names, lower-cased."""
    raw = resources.files("assistant").joinpath("data/first_names.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in raw.splitlines() if line.strip() and not line.startswith("#"))


def _is_protected(word: str) -> bool:
    return word.lower() in GUIDANCE_VOCABULARY or word.isupper()


def _sub(pattern: re.Pattern[str], placeholder: str, kind: str, text: str, kinds: list[str]) -> str:
    new, n = pattern.subn(placeholder, text)
    if n and kind not in kinds:
        kinds.append(kind)
    return new


def _redact_names(text: str, kinds: list[str]) -> str:
    names = first_names()
    spans: list[tuple[int, int]] = []

    for m in _NAME_CUE.finditer(text):
        words = m.group(1).split()
        keep = []
        for w in words:
            if _is_protected(w) and w.lower() not in names:
                break
            keep.append(w)
        if keep:
            start = m.start(1)
            spans.append((start, start + len(" ".join(keep))))

    for m in _POSSESSIVE.finditer(text):
        word = m.group(1)
        if not _is_protected(word) or (word.lower() in names and word.lower() not in GUIDANCE_VOCABULARY):
            spans.append((m.start(1), m.end(1)))

    for m in _WORD.finditer(text):
        word = m.group(0)
        low = word.lower()
        if low in names and low not in AMBIGUOUS and low not in GUIDANCE_VOCABULARY:
            end = m.end()
            # a following capitalised non-vocabulary word is taken as the surname
            follow = re.match(rf"\s+({_CAP})\b", text[end:])
            if follow and not _is_protected(follow.group(1)):
                end += follow.end()
            spans.append((m.start(), end))

    if not spans:
        return text
    spans.sort()
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out = []
    last = 0
    for s, e in merged:
        out.append(text[last:s])
        out.append("[name]")
        last = e
    out.append(text[last:])
    if "name" not in kinds:
        kinds.append("name")
    return "".join(out)


def redact(text: str) -> Redaction:
    """Replace likely personal data in `text` with placeholders; see the module docstring for the kinds."""
    kinds: list[str] = []
    out = _sub(_EMAIL, "[email]", "email", text, kinds)
    out = _sub(_NI, "[NI number]", "ni_number", out, kinds)
    out = _sub(_PHONE, "[phone]", "phone", out, kinds)
    out = _sub(_NHS, "[NHS number]", "nhs_number", out, kinds)
    out = _sub(_POSTCODE, "[postcode]", "postcode", out, kinds)
    out = _sub(_ADDRESS, "[address]", "address", out, kinds)
    # "born 2015" / "DOB: 2015" (a bare year after a birth cue is still a date of birth)
    out = _sub(
        re.compile(_DOB.pattern + r"(?:in\s+)?(?:\d{4}|" + _MONTHS + r"\s+\d{4})\b", re.I), "[date]", "date", out, kinds
    )
    out = _sub(_DATE, "[date]", "date", out, kinds)
    out = _redact_names(out, kinds)
    return Redaction(text=out, kinds=kinds)
