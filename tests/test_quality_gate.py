"""The quality gate: both development sets through the runner on the real corpus index (one run each).

`evals/thresholds.json` names each set and its floors (and the ceiling of false declines). The set of real
questions lives beside the corpus (`../shared/evals`, or `VSH_TEST_REAL_QUESTIONS`) and is never committed.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from _servers import shared_assistant

from evals.questions import load_questions
from evals.results import get_run, run_rows
from evals.runner import run_eval
from settings import REPO_ROOT, Settings
from storage import TranscriptStore

THRESHOLDS = REPO_ROOT / "evals" / "thresholds.json"
FLOORS = ("lead", "cited_gold", "recall@5", "fact_coverage", "decline_accuracy", "strong_lead_right")
CEILINGS = {"false_decline_rate_max": "false_decline_rate"}


def _sets(text: str) -> dict[str, dict[str, float | str]]:
    return dict(json.loads(text)["sets"])


def _set_path(name: str, entry: dict[str, float | str]) -> Path:
    if name == "real-questions-dev" and os.environ.get("VSH_TEST_REAL_QUESTIONS"):
        return Path(os.environ["VSH_TEST_REAL_QUESTIONS"])
    return (REPO_ROOT / str(entry["path"])).resolve()


@pytest.mark.parametrize("name", sorted(_sets(THRESHOLDS.read_text(encoding="utf-8"))))
def test_quality_gate(name: str, corpus_settings: Settings, tmp_path: Path) -> None:
    entry = _sets(THRESHOLDS.read_text(encoding="utf-8"))[name]
    path = _set_path(name, entry)
    if not path.is_file():
        pytest.fail(f"the question set {name!r} is missing: {path}")
    store = TranscriptStore(f"sqlite:///{tmp_path / 'vsh.sqlite3'}")
    run_id = run_eval(path, corpus_settings, store=store, assistant=shared_assistant(corpus_settings), name="gate")
    run = get_run(store, run_id)
    assert run is not None
    summary = json.loads(run.summary_json)
    overall = summary["overall"]
    strong = summary["evidence_by_lead"]["strong"]
    # the share of "strong" answers whose lead is right; no strong answer breaks no promise
    overall["strong_lead_right"] = 1.0 if strong["lead_right"] is None else strong["lead_right"]
    print(name, json.dumps(summary, indent=1))  # shown with -s: the figures to paste into evals/README.md
    assert overall["questions"] == len(load_questions(path)) == len(run_rows(store, run_id))
    below = {f: (overall[f], entry[f]) for f in FLOORS if f in entry and overall[f] < float(entry[f])}
    above = {f: (overall[m], entry[f]) for f, m in CEILINGS.items() if f in entry and overall[m] > float(entry[f])}
    assert not below and not above, f"{name}: (measured, threshold) below {below}, above {above}; {overall}"
    store.close()


def test_thresholds_only_move_up() -> None:
    """No floor is lower, and no ceiling higher, than in git HEAD's version of the file."""
    current = _sets(THRESHOLDS.read_text(encoding="utf-8"))
    for entry in current.values():
        assert all(0.0 <= float(v) <= 1.0 for k, v in entry.items() if k != "path"), entry
    try:
        shown = subprocess.run(
            ["git", "show", "HEAD:evals/thresholds.json"], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        pytest.skip(f"git is not available: {exc}")
    if shown.returncode != 0:
        pytest.skip(f"no committed thresholds to compare with: {shown.stderr.strip()}")
    data = json.loads(shown.stdout)
    if "sets" not in data:  # the file before it covered both sets: its dev-set floors still hold
        data = {"sets": {"dev": {k: v for k, v in data.items() if not k.startswith("_")}}}
    moved = []
    for name, earlier in _sets(json.dumps(data)).items():
        now = current.get(name)
        assert now is not None, f"the gate for {name!r} was removed"
        for f in FLOORS:
            if f in earlier and float(now.get(f, -1)) < float(earlier[f]):
                moved.append((name, f, earlier[f], now.get(f)))
        for f in CEILINGS:
            if f in earlier and float(now.get(f, 2)) > float(earlier[f]):
                moved.append((name, f, earlier[f], now.get(f)))
    assert not moved, f"thresholds only move up (ceilings down); moved (set, figure, HEAD, now): {moved}"
