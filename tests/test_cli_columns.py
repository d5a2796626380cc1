"""The command line at 80 columns (COLUMNS=80): tables fit and split no word; `vsh ask` prints links that open
from a terminal (the public web app when VSH_PUBLIC_BASE_URL is set, GOV.UK otherwise)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rich.console import Console

from bots.present import evidence_note
from index.build import DocReport, IngestReport
from settings import REPO_ROOT, Settings

if TYPE_CHECKING:
    from typer.testing import Result

    from assistant.models import Answer, Citation

VSH = [sys.executable, "-m", "vsh"]
QUESTION = "Who decides how Pupil Premium Plus is spent for looked-after children?"


def run_vsh(args: list[str], settings: Settings, **env: str) -> str:
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith("VSH_") or k in ("VSH_TEST_CORPUS", "VSH_CHROMIUM")
    }
    environ.update(COLUMNS="80", VSH_DATA_DIR=str(settings.data_dir), **env)
    done = subprocess.run(
        VSH + args, cwd=REPO_ROOT, env=environ, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def assert_fits(text: str, width: int = 80) -> None:
    too_wide = [line for line in text.splitlines() if len(line.rstrip()) > width]
    assert too_wide == [], too_wide


def test_vsh_docs_fits_80_columns_without_splitting_words(corpus_settings: Settings) -> None:
    from index.search import GuidanceIndex

    out = run_vsh(["docs"], corpus_settings)
    assert_fits(out)
    words = set(re.findall(r"\S+", out))
    for doc in GuidanceIndex.open(corpus_settings).documents():
        assert doc.doc_id in words, f"{doc.doc_id} was split or cut"
        for word in doc.citation_name.split():
            assert word in words, f"{word!r} of {doc.citation_name!r} was split or cut"
    assert "…" not in out


def test_the_ingest_table_fits_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    import index.cli

    console = Console(width=80, record=True, force_terminal=False)
    monkeypatch.setattr(index.cli, "console", console)
    report = IngestReport(
        documents=[
            DocReport(
                doc_id="vsh-funding-press-release-2021",
                path="a.txt",
                title="£16 million to support young people with a social worker",
                status="announcement",
                passages=8,
                action="added",
            ),
            DocReport(
                doc_id="children-missing-education-2024",
                path="b.pdf",
                title="Children missing education",
                status="non-statutory",
                pages=41,
                sections=30,
                passages=110,
                warnings=["status could not be determined from the document: set it in a sidecar .meta.toml"],
                action="unchanged",
            ),
        ],
        embedded_passages=8,
        reused_passages=110,
        seconds=12.5,
    )
    index.cli.print_ingest_report(report)
    out = console.export_text()
    assert_fits(out)
    words = set(re.findall(r"\S+", out))
    assert {"vsh-funding-press-release-2021", "children-missing-education-2024", "non-statutory"} <= words
    assert {"unchanged", "announcement", "passages"} <= words and "…" not in out
    assert "warning: children-missing-education-2024: status could not be determined" in " ".join(out.split())


def test_vsh_ask_links_to_govuk_or_to_the_public_web_app(corpus_settings: Settings) -> None:
    plain = run_vsh(["ask", QUESTION], corpus_settings)
    assert "Sources:" in plain and "https://www.gov.uk/" in plain
    assert not re.search(r"(?m)^\s*/sources/", plain), "a server path opens nowhere from a terminal"
    assert plain.count("How to read this:") == 1
    assert_fits("\n".join(line for line in plain.splitlines() if "https://" not in line))

    public = run_vsh(["ask", QUESTION], corpus_settings, VSH_PUBLIC_BASE_URL="https://vsh.example")
    assert re.search(r"(?m)^\s+https://vsh\.example/sources/\S+\?passage=", public)
    assert "/sources/" not in public.replace("https://vsh.example/sources/", "")


def test_a_decline_prints_its_closest_sections_once_with_links(corpus_settings: Settings, tmp_path: Path) -> None:
    out = run_vsh(["ask", "What is the best recipe for a chocolate cake?"], corpus_settings)
    assert "could not find" in out.lower()
    assert out.count("The closest sections I found:") == 1
    assert "https://www.gov.uk/" in out


PEP_LIST = (
    "The PEP should: (a) identify developmental and educational needs [short and long term]; (b) set "
    "clear objectives and targets for the child, covering academic achievement and other educational outcomes; "
    "and (c) include the child's views on how they think they have been supported."
)
VIRTUAL_SCHOOLS = (
    "Virtual schools may be able to: • provide information on specialist services; • help identify resources to "
    "support specific activities; • co-ordinate support that may be required beyond that which is already "
    "provided by educational services; and • provide training for designated teachers on aspects of social care."
)


def _citation(number: int, section: str) -> Citation:
    """A citation of the designated teacher guidance (no quote: `vsh ask` shows the locator and link)."""
    from assistant.models import Citation

    return Citation(
        number=number,
        passage_id="dt:1",
        doc_id="dt",
        title="Designated teacher guidance (Feb 2018)",
        status="statutory",
        status_label="",
        section=section,
        quote="",
        url="/sources/dt",
        source_url="https://www.gov.uk/dt",
    )


def _ask_answered(answer: Answer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, color: bool = False) -> Result:
    """`vsh ask` at 80 columns with an assistant that gives `answer` (colours kept with `color`)."""
    from types import SimpleNamespace

    from typer.testing import CliRunner

    from settings import get_settings
    from vsh.cli import app

    class Answering:
        def __init__(self, settings: Settings, approved: object = None) -> None:
            self.index = SimpleNamespace(documents=lambda: [])

        def ask(self, question: str) -> Answer:
            return answer

    monkeypatch.setattr("assistant.core.Assistant", Answering)
    monkeypatch.setattr("storage.approved_answers_for", lambda settings: None)
    monkeypatch.setenv("VSH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "80")
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, ["ask", answer.question], color=color)
    finally:
        get_settings.cache_clear()


def test_vsh_ask_shows_a_quoted_list_one_item_a_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.models import Answer
    from textkit import normalise

    legend = "How to read this: in statutory guidance 'must' is a legal duty."
    source = "Designated teacher guidance (Feb 2018) (statutory guidance), The PEP, para 19:"
    also = "- Designated teacher guidance (Feb 2018), Virtual schools, p.49:"
    text = f"{source}\n{PEP_LIST} [1]\n\nAlso in the guidance:\n{also} {VIRTUAL_SCHOOLS} [2]\n\n{legend}"
    answer = Answer(
        question="What should a PEP do?",
        text=text,
        citations=[_citation(n, "The PEP") for n in (1, 2)],
        legend=legend,
        evidence="strong",
    )

    done = _ask_answered(answer, tmp_path, monkeypatch)
    assert done.exit_code == 0, done.output
    out = done.output.split("\nSources:")[0]
    lines = out.split("\n")
    assert lines[1] == "The PEP should:"  # the lead-in on its own
    assert lines[2] == "(a) identify developmental and educational needs [short and long term];"  # [] as is
    assert lines[3].startswith("(b) set clear objectives") and lines[4].startswith("    ")  # hangs under its words
    assert lines[5] == "(c) include the child's views on how they think they have been supported. [1]"
    at = lines.index("  schools may be able to:")  # the lead-in of an "Also in the guidance" point
    assert lines[at - 1] == f"{also} Virtual"
    assert lines[at + 1 : at + 6] == [  # its items under it, each with its marker
        "  • provide information on specialist services;",
        "  • help identify resources to support specific activities;",
        "  • co-ordinate support that may be required beyond that which is already",
        "    provided by educational services; and",
        "  • provide training for designated teachers on aspects of social care. [2]",  # the citation last
    ]
    assert_fits(done.output)
    body, note = out.strip().rsplit("\n\n", 1)
    assert note == evidence_note(answer)  # how well the guidance answers, after the answer
    assert normalise(body) == normalise(text.split(f"\n\n{legend}")[0])  # verbatim but for where lines break
    assert done.output.count("How to read this:") == 1


def test_vsh_ask_shows_the_answering_sentence_in_bold_on_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.models import Answer, AnswerPoint

    focus = "The virtual school head manages pupil premium plus for every looked-after child of the authority."
    lead = "The virtual school head is an officer of the local authority. " + focus
    answer = Answer(
        question="Who manages PP+?",
        text=f"Designated teacher guidance (Feb 2018) (statutory guidance), PP+:\n{lead} [1]",
        citations=[_citation(1, "PP+")],
        points=[AnswerPoint(text=lead, citations=[1], focus=focus)],
        evidence="moderate",
    )
    plain = _ask_answered(answer, tmp_path, monkeypatch)
    assert plain.exit_code == 0, plain.output
    assert "\x1b[" not in plain.output  # not a terminal: no bold codes
    styled = _ask_answered(answer, tmp_path, monkeypatch, color=True)
    lines = styled.output.split("\n")
    bold = [line for line in lines if "\x1b[1m" in line]
    assert len(bold) == 3 and bold[0].startswith("The virtual school head is an officer of the local authority. ")
    assert all(line.count("\x1b[1m") == line.count("\x1b[0m") == 1 for line in bold)  # bold line by line
    assert re.sub(r"\x1b\[[0-9;]*m", "", styled.output) == plain.output  # the text itself unchanged
