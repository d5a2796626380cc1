"""The runner over the fake retriever (`fakes.py`): runs that survive a restart, compare, report, users."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from _servers import BACKENDS, database_url
from fakes import FAKE_QUESTIONS, fake_assistant, write_question_set
from typer.testing import CliRunner

from assistant import Assistant
from evals.models import Annotation
from evals.report import write_report
from evals.results import compare_runs, get_run, list_runs, run_rows
from evals.reviewers import verify_reviewer
from evals.runner import run_eval
from settings import REPO_ROOT, Settings
from storage import TranscriptStore


@pytest.fixture(scope="module")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return Settings(data_dir=tmp_path_factory.mktemp("data"), corpus_paths=[])


@pytest.fixture(scope="module")
def assistant(base_settings: Settings) -> Assistant:
    return fake_assistant(base_settings)


@pytest.fixture(scope="module")
def dev_run(
    base_settings: Settings, assistant: Assistant, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, str]]:
    """A run of the fake question set (the development set runs on the real corpus in test_quality_gate.py)."""
    folder = tmp_path_factory.mktemp("evals")
    subset = write_question_set(folder / "subset.jsonl")
    db_file = folder / "vsh.sqlite3"
    store = TranscriptStore(f"sqlite:///{db_file}")
    run_id = run_eval(subset, base_settings, store=store, assistant=assistant, name="dev")
    store.close()
    yield db_file, run_id


def test_run_transcripts_and_annotations_survive_a_restart(dev_run: tuple[Path, str]) -> None:
    db_file, run_id = dev_run
    first = TranscriptStore(f"sqlite:///{db_file}")
    rows = run_rows(first, run_id)
    target = rows[0].transcript.id
    with first.session() as session:
        session.add(Annotation(transcript_id=target, reviewer="alice", verdict="wrong", comment="cites the wrong para"))
    first.close()

    again = TranscriptStore(f"sqlite:///{db_file}")  # a new process would do exactly this
    again.migrate()
    assert run_id in {run.id for run in list_runs(again)}
    reloaded = run_rows(again, run_id)
    assert len(reloaded) == len(rows)
    assert reloaded[0].annotation is not None and reloaded[0].annotation.verdict == "wrong"
    assert reloaded[0].answer.citations == rows[0].answer.citations
    stored = get_run(again, run_id)
    assert stored is not None and stored.index_version and stored.model and stored.finished_at is not None
    assert "llm_api_key" not in stored.settings_json and "min_evidence_score" in stored.settings_json


def test_compare_highlights_a_changed_answer_that_was_marked_wrong(
    dev_run: tuple[Path, str], base_settings: Settings, assistant: Assistant, tmp_path: Path
) -> None:
    db_file, run_id = dev_run
    store = TranscriptStore(f"sqlite:///{db_file}")
    rows = run_rows(store, run_id)
    flagged = rows[1]
    with store.session() as session:
        session.add(Annotation(transcript_id=flagged.transcript.id, reviewer="bob", verdict="unsafe"))
    first_three = [str(q["id"]) for q in FAKE_QUESTIONS[:3]]
    subset = write_question_set(tmp_path / "subset.jsonl", first_three)
    changed_settings = base_settings.model_copy(update={"min_evidence_score": 0.99})
    original = assistant.settings
    assistant.settings = changed_settings
    try:
        second = run_eval(subset, changed_settings, store=store, assistant=assistant, name="declines all")
    finally:
        assistant.settings = original
    changes = {c.question_id: c for c in compare_runs(store, run_id, second)}
    assert set(changes) == set(first_three)
    change = changes[flagged.result.question_id]
    if change.answer_changed:
        assert change.previously_flagged == "unsafe"
        first = next(iter(compare_runs(store, run_id, second)))  # flagged-and-changed answers come first
        assert first.previously_flagged in ("wrong", "unsafe") and first.answer_changed


def test_report_html_json_and_plot(dev_run: tuple[Path, str], tmp_path: Path) -> None:
    db_file, run_id = dev_run
    store = TranscriptStore(f"sqlite:///{db_file}")
    run = get_run(store, run_id)
    assert run is not None
    paths = write_report(store, run, tmp_path / "reports")
    html = paths["html"].read_text(encoding="utf-8")
    assert "<h2>By topic</h2>" in html and "pupil premium plus" in html and "recall@5" in html
    assert html.index("<h2>Summary</h2>") < html.index("<svg") < html.index("Questions that got worse")
    assert json.loads(paths["json"].read_text())["summary"]["overall"]["questions"] == 8
    assert paths["plot"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("backend", BACKENDS)
def test_runs_and_reviewers_on_each_database(
    backend: str,
    base_settings: Settings,
    assistant: Assistant,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    subset = write_question_set(tmp_path / "two.jsonl", ["fq-01", "fq-02"])
    with database_url(backend, tmp_path) as url:
        (tmp_path / "db").mkdir(exist_ok=True)
        settings = base_settings.model_copy(update={"database_url": url})
        monkeypatch.setattr("evals.cli.get_settings", lambda: settings)
        from vsh.cli import app

        runner = CliRunner()
        added = runner.invoke(app, ["users", "add", "Alice", "--password-stdin"], input="correct horse battery\n")
        assert added.exit_code == 0, added.output
        short = runner.invoke(app, ["users", "add", "bob", "--password-stdin"], input="short\n")
        assert short.exit_code == 1 and "at least" in short.output
        store = TranscriptStore(url)
        assert verify_reviewer(store, "alice", "correct horse battery")
        assert not verify_reviewer(store, "alice", "wrong password!")
        run_id = run_eval(subset, settings, store=store, assistant=assistant, name=backend)
        store.close()
        reopened = TranscriptStore(url)
        assert len(run_rows(reopened, run_id)) == 2
        assert reopened.count(channel="eval", run_id=run_id) == 2
        reopened.close()


def test_cli_list_compare_and_report(
    dev_run: tuple[Path, str], base_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_file, run_id = dev_run
    settings = base_settings.model_copy(update={"database_url": f"sqlite:///{db_file}", "data_dir": tmp_path})
    monkeypatch.setattr("evals.cli.get_settings", lambda: settings)
    from vsh.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["eval", "list"])
    assert listed.exit_code == 0 and run_id[:8] in listed.output
    compared = runner.invoke(app, ["eval", "compare", run_id, run_id, "--json"])
    assert compared.exit_code == 0, compared.output
    payload = json.loads(compared.output)
    assert payload["run_a"] == payload["run_b"] == run_id
    assert payload["questions"] and all(not q["answer_changed"] for q in payload["questions"])
    table = runner.invoke(app, ["eval", "compare", run_id, run_id])
    assert table.exit_code == 0 and "recall@5" in table.output
    missing = runner.invoke(app, ["eval", "compare", run_id, "no-such-run"])
    assert missing.exit_code == 1
    reported = runner.invoke(app, ["eval", "report", run_id, "--out", str(tmp_path / "out")])
    assert reported.exit_code == 0, reported.output
    assert list((tmp_path / "out").glob("*.html")) and list((tmp_path / "out").glob("*.png"))


def test_train_ranker_further_prints_its_cross_validated_figures_and_writes_nothing_unasked(
    corpus_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.rerank import FURTHER_RANKER_PATH
    from vsh.cli import app

    before = FURTHER_RANKER_PATH.read_bytes()
    monkeypatch.setattr("evals.cli.get_settings", lambda: corpus_settings)
    result = CliRunner().invoke(app, ["eval", "train-ranker", "--further", str(REPO_ROOT / "evals/datasets/dev.jsonl")])
    assert result.exit_code == 0, result.output
    assert "Further points" in result.output and "further-points model" in result.output
    assert FURTHER_RANKER_PATH.read_bytes() == before  # --write not given
    unknown = CliRunner().invoke(
        app, ["eval", "train-ranker", "--further", "--features", "no_such", str(REPO_ROOT / "evals/datasets/dev.jsonl")]
    )
    assert unknown.exit_code == 1 and "unknown features" in unknown.output
