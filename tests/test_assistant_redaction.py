"""Personal data is redacted before anything is stored, searched or sent to a model."""

from __future__ import annotations

import pytest

from assistant.redaction import first_names, redact


@pytest.mark.parametrize(
    ("text", "kind", "placeholder", "gone"),
    [
        ("My pupil Jamie has missed school", "name", "[name]", "Jamie"),
        ("a child called Kit Harper is in care", "name", "[name]", "Kit"),
        ("Is Oliver's PEP late?", "name", "[name]", "Oliver"),
        ("She was born on 03/04/2015", "date", "[date]", "03/04/2015"),
        ("DOB 3rd April 2016", "date", "[date]", "April 2016"),
        ("He lives at 12 Acacia Avenue now", "address", "[address]", "Acacia"),
        ("postcode SW1A 1AA", "postcode", "[postcode]", "SW1A"),
        ("call 07700 900123 today", "phone", "[phone]", "900123"),
        ("or the office on 020 7946 0018", "phone", "[phone]", "7946"),
        ("email jo.bloggs@school.org.uk", "email", "[email]", "bloggs"),
        ("NHS number 943 476 5919", "nhs_number", "[NHS number]", "5919"),
        ("NI number AB123456C", "ni_number", "[NI number]", "AB123456C"),
    ],
)
def test_each_kind_is_redacted(text: str, kind: str, placeholder: str, gone: str) -> None:
    out = redact(text)
    assert kind in out.kinds
    assert placeholder in out.text
    assert gone not in out.text
    assert out.notice


@pytest.mark.parametrize(
    "text",
    [
        "What does the Virtual School Head do with Pupil Premium Plus?",
        "What does Keeping Children Safe in Education say about the Designated Safeguarding Lead?",
        "What changed for kinship care in September 2024?",
        "Does the Children Act 1989 section 22 apply to children in Wales?",
        "Will the VSH attend the PEP meeting?",
    ],
)
def test_guidance_terms_are_left_alone(text: str) -> None:
    out = redact(text)
    assert out.text == text
    assert out.kinds == []
    assert out.notice == ""


def test_name_list_is_compact_and_loaded() -> None:
    names = first_names()
    assert 250 <= len(names) <= 400
    assert "jamie" in names
