"""Fast checks without an index: units, question types, follow-ups, the CLI's missing-index message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from assistant.classify import analyse, is_follow_up, resolve_follow_up
from assistant.cli import ask
from assistant.sentences import clean_unit, normalise, split_units
from settings import Settings, get_settings

PASSAGE = """39. Looked-after children and children adopted from care, on a special guardianship
or child arrangements order are eligible for PP+ funding.11  This is additional
funding provided, e.g. to help improve attainment.
44. The designated teacher should:
• for looked-after children, liaise with the VSH;
• help raise awareness of the PP+; and
• encourage parents.
45. The PP+ can be used widely. It is important (see Section 3.2)."""


def test_units_are_verbatim_and_keep_lists_with_their_lead_in() -> None:
    units = [clean_unit(u) for u in split_units(PASSAGE)]
    flat = normalise(PASSAGE)
    assert all(u in flat for u in units)
    assert units[0].startswith("Looked-after children") and units[0].endswith("PP+ funding.")
    assert any(u.startswith("The designated teacher should: • for looked-after") for u in units)
    assert "The PP+ can be used widely." in units


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("Does the virtual school cover a child on a child in need plan?", "scope"),
        ("Is a child on a special guardianship order previously looked-after?", "scope"),
        ("Must the governing body appoint a designated teacher?", "duties"),
        ("What changed for kinship care?", "kinship"),
        ("Who is eligible for Pupil Premium Plus?", "funding"),
        ("What was the £16 million for?", "funding"),
        ("What are the rules in Scotland?", "out_of_scope"),
        ("Should I move Jamie to another school?", "out_of_scope"),
        ("She has bruises on her arms, what should I do?", "safeguarding"),
        ("What is a personal education plan?", "general"),
    ],
)
def test_question_types(question: str, qtype: str) -> None:
    from assistant.redaction import redact

    assert analyse(redact(question).text).question_type == qtype


def test_duty_questions_are_recognised() -> None:
    assert analyse("Must the governing body appoint a designated teacher?").asks_duty
    assert analyse("Is it a duty for the LA to appoint a VSH?").asks_duty
    assert not analyse("What should a good PEP contain?").asks_duty


def test_follow_ups_are_rewritten_with_the_previous_question() -> None:
    prev = "Who manages PP+ for looked-after children?"
    assert is_follow_up("and for previously looked-after children?")
    assert is_follow_up("What about kinship care?")
    assert is_follow_up("Does that apply to them too?")
    assert not is_follow_up("Who is eligible for Pupil Premium Plus funding in a school?")
    assert resolve_follow_up("and for previously looked-after children?", prev) == (
        "Who manages PP+ for previously looked-after children?"
    )
    assert "kinship care" in resolve_follow_up("what about kinship care?", "Who is eligible for PP+?")
    assert resolve_follow_up("does that apply to them too?", prev).startswith(prev)


def test_cli_missing_index_exits_2_with_rebuild_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSH_DATA_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(ask)
    try:
        result = CliRunner().invoke(app, ["Who is eligible for PP+?"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "vsh ingest" in result.output


def test_cli_json_is_the_answer_schema(corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VSH_DATA_DIR", str(corpus_settings.data_dir))
    get_settings.cache_clear()
    app = typer.Typer()
    app.command()(ask)
    try:
        result = CliRunner().invoke(app, ["Who is eligible for Pupil Premium Plus?", "--json"])
        human = CliRunner().invoke(app, ["Who is eligible for Pupil Premium Plus?"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["citations"] and data["question_type"] == "funding"
    assert human.exit_code == 0
    assert "Designated teacher guidance (Feb 2018)" in human.output and "Statutory guidance" in human.output
