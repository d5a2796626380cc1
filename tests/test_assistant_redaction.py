"""Personal data is redacted before anything is stored, searched or sent to a model: the issue's 24 probes,
a broader check list of the same kinds (tests/data/redaction_checklist.json), and guidance terms left alone;
over real HTTP, questions, feedback comments and stored transcripts hold none of it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _servers import live_server
from fakes import fake_assistant

from assistant.redaction import redact
from assistant.word_lists import first_names, guidance_vocabulary, word_lists
from bots.web import create_app
from settings import Settings
from storage import TranscriptStore

CHECKLIST = json.loads((Path(__file__).parent / "data" / "redaction_checklist.json").read_text(encoding="utf-8"))

# The issue's probe items, each with the fragments that must not survive.
PROBES = [
    ("Olivia Thompson", ["Olivia", "Thompson"]),
    ("Kwame Mensah-Boateng", ["Kwame", "Mensah", "Boateng"]),
    ("Zofia Wiśniewska", ["Zofia", "Wiśniewska"]),
    ("Siobhan O'Leary", ["Siobhan", "Leary"]),
    ("tyler jones", ["tyler", "jones"]),
    ("Harper Lee", ["Harper", "Lee"]),
    ("aaliyah's", ["aaliyah"]),
    ("Tom aged 9", ["Tom"]),
    ("Mohammed Ali Khan", ["Mohammed", "Ali", "Khan"]),
    ("14/02/2012", ["14/02/2012", "2012"]),
    ("14 February 2012", ["14 February", "2012"]),
    ("2012-02-14", ["2012", "02-14"]),
    ("12 Acacia Avenue, Leeds LS6 2AB", ["Acacia", "Leeds", "LS6", "2AB"]),
    ("Flat 3, Tower Block, Hyde Estate", ["Flat 3", "Tower Block", "Hyde"]),
    ("07700 900123", ["900123"]),
    ("+44 7700 900 456", ["7700", "456"]),
    ("0113 496 0000", ["496"]),
    ("jo.bloggs@school.org.uk", ["bloggs"]),
    ("NHS 943 476 5919", ["943 476 5919"]),
    ("9434765919", ["9434765919"]),
    ("A123456789012", ["A123456789012"]),
    ("H801200001001", ["H801200001001"]),
    ("NI AB123456C", ["AB123456C"]),
    ("date of birth 2012-02-14", ["2012", "-02-14"]),
]
FRAMES = [
    "{} has missed school, what does the VSH do?",
    "Harper Lee is in care. My question is about {} and the PEP.",
    "can the virtual school help {}?",
]


def _left(text: str, secrets: list[str]) -> list[str]:
    """Secrets still in ``text`` as whole words (a random hex id may hold "2ab" by chance)."""
    return [s for s in secrets if re.search(rf"(?<![0-9A-Za-z]){re.escape(s)}(?![0-9A-Za-z])", text, re.IGNORECASE)]


@pytest.mark.parametrize(("item", "secrets"), PROBES, ids=[p[0] for p in PROBES])
def test_the_issue_probes_are_redacted_in_any_position(item: str, secrets: list[str]) -> None:
    for frame in FRAMES:
        out = redact(frame.format(item))
        assert not _left(out.text, secrets), out.text
        assert out.notice


def test_the_check_list_is_redacted_completely() -> None:
    missed = []
    for case in CHECKLIST["personal"]:
        out = redact(case["text"])
        if _left(out.text, case["secrets"]) or not out.kinds:
            missed.append(out.text)
    recall = 1 - len(missed) / len(CHECKLIST["personal"])
    assert not missed, f"recall {recall:.2f}; kept: {missed}"


def test_names_not_on_any_list_are_still_found() -> None:
    """The check list's names are mostly absent from the name lists: the rules, not the lists, find them."""
    v = word_lists()
    unlisted = ["chiamaka", "okonkwo" if "okonkwo" not in v.surnames else "thandiwe", "bartosz", "ndlovu", "reza"]
    unlisted += ["dragoș", "munteanu", "keziah", "amankwah", "mireille", "kabongo", "oyelowo", "xiong", "brathwaite"]
    assert not [n for n in unlisted if n in v.given or n in v.surnames]
    assert redact("Is Ifechukwu Obiora-Nwankwo in care?").text == "Is [name] in care?"
    assert redact("what does the vsh do for zeynab abdikadir mohamud").text.endswith("for [name]")


@pytest.mark.parametrize("text", CHECKLIST["guidance"])
def test_guidance_questions_come_back_unchanged(text: str) -> None:
    out = redact(text)
    assert out.text == text
    assert out.kinds == [] and out.notice == ""


@pytest.mark.parametrize(
    "text",
    [
        "What does the Virtual School Head do with Pupil Premium Plus?",
        "What does Keeping Children Safe in Education say about the Designated Safeguarding Lead?",
        "what does keeping children safe in education say about the designated safeguarding lead?",
        "What changed for kinship care in September 2024?",
        "Does the Children Act 1989 section 22 apply to children in Wales?",
        "Will the VSH attend the PEP meeting?",
        "We've been told our adopted daughter didn't get a place; I've asked why.",
        "how do I make a referral to social care for a child I'm worried about?",
        "What can I do for a pupil I've taught for years, or a child I'd like to refer?",
        "Our carers' SDQs keep arriving after the health assessment. When should they go out?",
        "The DTs and PEPs in our trust are all late; who chases the SDQ's return?",
        "We adopted our daughter from an orphanage in Romania. Does she count as previously looked after?",
        "Parents of a boy on my CiN caseload want to home educate; does the CiC team need telling?",
        "What's the phone number for Birmingham's virtual school?",
        "how much is the uni bursary for care leavers and is it a one off or every year",
        "is the resi home meant to do the health checks or the sw",
    ],
)
def test_guidance_terms_are_left_alone(text: str) -> None:
    assert redact(text).text == text


def test_kinds_are_named_and_placeholders_are_not_redacted_again() -> None:
    out = redact("UPN A123456789012, NI AB123456C, NHS 943 476 5919, born 14/02/2012, call 07700 900123")
    assert out.kinds == ["upn", "ni_number", "phone", "nhs_number", "date"]
    assert redact(out.text).text == out.text  # redacting twice changes nothing


def test_word_lists_are_data_files() -> None:
    v = word_lists()
    assert "jamie" in first_names() and len(first_names()) > 400
    assert {"virtual", "premium", "ofsted"} <= guidance_vocabulary()
    assert len(v.english) > 50_000 and "safeguarding" in v.english and "leeds" in v.proper
    assert "grace" in v.ambiguous and "tom" in v.ambiguous  # given names that are also words
    assert {"uni", "kinship", "resi"} <= v.guidance  # the domain vocabulary's words are never names


# --- over HTTP: questions, feedback comments, stored transcripts --------------------------------------


@pytest.fixture
def web(fake_settings: Settings, tmp_path: Path) -> Iterator[tuple[httpx.Client, TranscriptStore]]:
    store = TranscriptStore(f"sqlite:///{tmp_path / 'db' / 'vsh.sqlite3'}")
    app = create_app(fake_settings, assistant=fake_assistant(fake_settings), store=store)
    with live_server(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
        yield client, store
    store.engine.dispose()


def test_stored_questions_and_feedback_hold_no_probe_item(web: tuple[httpx.Client, TranscriptStore]) -> None:
    client, store = web
    for item, secrets in PROBES:
        asked = client.post("/api/ask", json={"question": f"What does the VSH do for {item}?"})
        assert asked.status_code == 200
        body = asked.json()
        assert not _left(body["answer"]["question"], secrets)
        comment = f"This did not help {item} at all"
        fed = client.post(
            "/api/feedback", json={"transcript_id": body["transcript_id"], "helpful": False, "comment": comment}
        )
        assert fed.status_code == 200
        stored = store.get(body["transcript_id"])
        assert stored is not None
        for text in (stored.question, stored.resolved_question or "", stored.answer_json, stored.answer_text):
            assert not _left(text, secrets), (item, text[:200])
        [feedback] = store.feedback_for(body["transcript_id"])
        assert feedback.comment and not _left(feedback.comment, secrets), feedback.comment
