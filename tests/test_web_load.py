"""Bounded load over loopback HTTP: 2,000 questions at concurrency 20, no errors, no lost transcripts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _servers import live_server, shared_assistant

from bots.web import create_app
from evals.benchmark.loadgen import run_load
from settings import Settings
from storage import TranscriptStore

pytestmark = pytest.mark.load

TOTAL = 2000
CONCURRENCY = 20
HARD_TIMEOUT_S = 480  # each run_load stops by itself; unsent requests then count as errors

QUESTIONS = [
    "Which children is the Virtual School Head responsible for?",
    "What must a Virtual School Head do for previously looked-after children?",
    "How should Pupil Premium Plus funding be managed?",
    "What changed for children in kinship care?",
    "What does the designated teacher have to do?",
    "Who decides how PP+ is spent for looked-after children?",
    "What is a personal education plan?",
    "When should a PEP be reviewed?",
    "Does the VSH have to attend PEP meetings?",
    "What information should schools share with the virtual school?",
    "Is the designated teacher role statutory?",
    "What training should the designated teacher have?",
    "How should schools support children with a social worker?",
    "What is the role of the governing body for looked-after children?",
    "Can a Virtual School Head give advice to parents of adopted children?",
    "What should happen when a looked-after child is excluded?",
    "What is the virtual school's role in admissions?",
    "How should schools use PP+ for previously looked-after children?",
    "What does 'previously looked-after' mean?",
    "Who appoints the Virtual School Head?",
    "What should a VSH report to the local authority?",
    "What support should care leavers get with education?",
    "How should attendance of looked-after children be monitored?",
    "What does the guidance say about early years children in care?",
    "What should the designated teacher do about mental health needs?",
    "How does the virtual school work with social workers?",
    "What funding was announced for extending the VSH role?",
    "What is the designated safeguarding lead's role for children with a social worker?",
    "Do academies have to appoint a designated teacher?",
    "What should happen when a looked-after child moves school?",
]


def test_two_thousand_questions_no_errors_no_lost_transcripts(corpus_settings: Settings, tmp_path: Path) -> None:
    settings = corpus_settings.model_copy(update={"rate_limit_per_minute": 0})  # 0 = no limit
    store = TranscriptStore(f"sqlite:///{tmp_path / 'load.sqlite3'}")
    app = create_app(settings, assistant=shared_assistant(settings), store=store)
    with live_server(app) as server:
        # warm-up: each distinct question once (the cold assistant path), then the measured run
        warm = run_load(
            server.base_url, QUESTIONS, len(QUESTIONS), 2, timeout_s=HARD_TIMEOUT_S / 2, request_timeout_s=180
        )
        print("\nwarm-up:", json.dumps(warm))
        assert warm["errors"] == 0, warm
        result = run_load(
            server.base_url, QUESTIONS, TOTAL, CONCURRENCY, timeout_s=HARD_TIMEOUT_S, request_timeout_s=180
        )
        print("load:", json.dumps(result))
        assert not result["timed_out"], result
        assert result["errors"] == 0, result
        assert result["ok"] == TOTAL
        assert store.pending == 0
        assert store.count(channel="web") == TOTAL + len(QUESTIONS)
        assert result["requests_per_s"] > 20, result
