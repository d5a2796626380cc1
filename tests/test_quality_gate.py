"""The quality gate: the whole development set through the runner on the real corpus index (one run)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from _servers import shared_assistant

from evals.questions import load_questions
from evals.results import get_run, run_rows
from evals.runner import run_eval
from settings import REPO_ROOT, Settings
from storage import TranscriptStore

DEV_SET = REPO_ROOT / "evals" / "datasets" / "dev.jsonl"
THRESHOLDS = REPO_ROOT / "evals" / "thresholds.json"
GATED = ("recall@5", "fact_coverage", "decline_accuracy")


def _thresholds(text: str) -> dict[str, float]:
    data = json.loads(text)
    return {name: float(data[name]) for name in GATED}


def test_quality_gate_on_the_development_set(corpus_settings: Settings, tmp_path: Path) -> None:
    if not DEV_SET.is_file():
        pytest.fail(f"the development set is missing: {DEV_SET}")
    db_file = tmp_path / "vsh.sqlite3"
    store = TranscriptStore(f"sqlite:///{db_file}")
    run_id = run_eval(DEV_SET, corpus_settings, store=store, assistant=shared_assistant(corpus_settings), name="gate")
    run = get_run(store, run_id)
    assert run is not None
    summary = json.loads(run.summary_json)
    overall = summary["overall"]
    print(json.dumps(summary, indent=1))  # shown with -s: the figures to paste into evals/README.md
    assert overall["questions"] == len(load_questions(DEV_SET)) == len(run_rows(store, run_id))
    thresholds = _thresholds(THRESHOLDS.read_text(encoding="utf-8"))
    below = {name: (overall[name], thresholds[name]) for name in GATED if overall[name] < thresholds[name]}
    assert not below, f"below the recorded thresholds (measured, threshold): {below}; full summary: {overall}"
    store.close()


def test_thresholds_only_move_up() -> None:
    """No gated figure is lower than in git HEAD's version of the file."""
    current = _thresholds(THRESHOLDS.read_text(encoding="utf-8"))
    assert all(0.0 <= value <= 1.0 for value in current.values()), current
    try:
        shown = subprocess.run(
            ["git", "show", "HEAD:evals/thresholds.json"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        pytest.skip(f"git is not available: {exc}")
    if shown.returncode != 0:
        pytest.skip(f"no committed thresholds to compare with: {shown.stderr.strip()}")
    earlier = _thresholds(shown.stdout)
    lowered = {name: (earlier[name], current[name]) for name in GATED if current[name] < earlier[name]}
    assert not lowered, f"thresholds only move up; lowered (HEAD, now): {lowered}"
