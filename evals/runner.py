"""`run_eval`: answer every question of a set through the channels' pipeline, store and score the run."""

from __future__ import annotations

import json
import subprocess
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant import Answer, Assistant
from evals.metrics import (
    Located,
    QuestionScore,
    citation_precision,
    citation_support,
    cited_gold,
    evidence_by_lead,
    fact_coverage,
    lead_citation,
    recall_at_k,
    reciprocal_rank,
    summarise,
)
from evals.models import EvalResult, EvalRun
from evals.questions import EvalQuestion, load_questions, set_hash
from settings import REPO_ROOT, Settings
from storage import TranscriptStore
from storage.models import new_id

__all__ = ["git_commit", "run_eval", "score_answer", "summary_by_topic"]

SECRET_FIELDS = {"llm_api_key", "slack_bot_token", "slack_app_token", "slack_signing_secret", "session_secret"}


def git_commit() -> str:
    """The checkout's commit, or '' outside a git work tree."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def score_answer(question: EvalQuestion, answer: Answer, retrieved: list[Located], k: int) -> QuestionScore:
    """Score one answer against its question's gold (see `evals.metrics`)."""
    cited = [
        Located(
            c.doc_id,
            tuple(c.paragraphs),
            tuple(c.pages),
            quote=c.quote,
            backs=tuple(p.text for p in answer.points if c.number in p.citations),
        )
        for c in answer.citations
    ]
    answerable = question.answerable and bool(question.gold)
    return QuestionScore(
        question_id=question.id,
        topic=question.topic,
        answerable=question.answerable,
        declined=answer.declined,
        recall_at_k=recall_at_k(retrieved, question.gold, k) if answerable else None,
        reciprocal_rank=reciprocal_rank(retrieved, question.gold) if answerable else None,
        citation_precision=citation_precision(cited, question.gold) if answerable and not answer.declined else None,
        citation_support=citation_support(cited, question.gold) if answerable and not answer.declined else None,
        fact_coverage=fact_coverage(answer.text, question.key_facts) if question.answerable else None,
        lead=(0.0 if answer.declined else lead_citation(cited, question.gold)) if answerable else None,
        cited_gold=(0.0 if answer.declined else cited_gold(cited, question.gold)) if answerable else None,
        citations=len(answer.citations),
        evidence=answer.evidence,
        latency_ms=answer.latency_ms,
    )


def summary_by_topic(scores: list[QuestionScore], k: int) -> dict[str, dict[str, Any]]:
    """`summarise` per topic."""
    groups: dict[str, list[QuestionScore]] = defaultdict(list)
    for score in scores:
        groups[score.topic].append(score)
    return {topic: summarise(group, k) for topic, group in sorted(groups.items())}


def _public_settings(settings: Settings) -> dict[str, Any]:
    data = settings.model_dump(mode="json")
    return {key: value for key, value in data.items() if key not in SECRET_FIELDS}


def run_eval(
    set_path: Path,
    settings: Settings,
    *,
    store: TranscriptStore,
    assistant: Assistant | None = None,
    name: str = "",
    k: int = 5,
    on_question: Callable[[EvalQuestion, Answer], None] | None = None,
) -> str:
    """Run the set, store the run, its transcripts (channel 'eval') and scores; return the run id."""
    questions = load_questions(set_path)
    assistant = assistant or Assistant(settings)
    index = assistant.index
    store.migrate()
    run_id = new_id()
    run = EvalRun(
        id=run_id,
        name=name or f"{Path(set_path).stem} {datetime.now(UTC):%Y-%m-%d %H:%M}",
        set_path=str(set_path),
        set_hash=set_hash(set_path),
        settings_json=json.dumps(_public_settings(settings)),
        model=str(index.manifest.get("model", "")),
        index_version=str(index.version),
        git_commit=git_commit(),
        summary_json="{}",
    )
    with store.session() as session:
        session.add(run)
    scores: list[QuestionScore] = []
    for question in questions:
        started = time.perf_counter()
        answer = assistant.ask(question.question)
        if not answer.latency_ms:
            answer.latency_ms = round((time.perf_counter() - started) * 1000, 2)
        hits = index.search(answer.question, k=max(k, 10))
        retrieved = [Located(h.doc.doc_id, tuple(h.passage.paragraphs), tuple(h.passage.pages)) for h in hits]
        score = score_answer(question, answer, retrieved, k)
        scores.append(score)
        transcript_id = store.record(
            answer, channel="eval", conversation_id=f"eval:{run_id}:{question.id}", run_id=run_id
        )
        with store.session() as session:
            session.add(
                EvalResult(
                    run_id=run_id,
                    question_id=question.id,
                    topic=question.topic,
                    answerable=question.answerable,
                    transcript_id=transcript_id,
                    declined=answer.declined,
                    recall=score.recall_at_k,
                    reciprocal_rank=score.reciprocal_rank,
                    citation_precision=score.citation_precision,
                    fact_coverage=score.fact_coverage,
                    lead=score.lead,
                    cited_gold=score.cited_gold,
                    citations=score.citations,
                    evidence=score.evidence,
                    latency_ms=score.latency_ms,
                    question_json=question.model_dump_json(),
                )
            )
        if on_question:
            on_question(question, answer)
    summary = {
        "k": k,
        "overall": summarise(scores, k),
        "by_topic": summary_by_topic(scores, k),
        "evidence_by_lead": evidence_by_lead(scores),
    }
    with store.session() as session:
        stored = session.get(EvalRun, run_id)
        assert stored is not None
        stored.summary_json = json.dumps(summary)
        stored.finished_at = datetime.now(UTC)
    return run_id
