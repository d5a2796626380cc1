"""Reading stored runs back: run lists, per-question rows with their answers and annotations, comparisons."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from assistant import Answer
from evals.models import Annotation, EvalResult, EvalRun
from storage import Transcript, TranscriptStore

__all__ = [
    "Change",
    "QuestionRow",
    "annotations_for",
    "latest_annotation",
    "compare_runs",
    "get_run",
    "list_runs",
    "run_rows",
]


@dataclass
class QuestionRow:
    """One question of a run: its scores, the stored answer and the latest annotation."""

    result: EvalResult
    transcript: Transcript
    question: dict[str, Any]
    annotation: Annotation | None = None

    @property
    def answer(self) -> Answer:
        return Answer.model_validate_json(self.transcript.answer_json)


def list_runs(store: TranscriptStore) -> list[EvalRun]:
    """All runs, newest first."""
    with store.session() as session:
        runs = list(session.scalars(select(EvalRun).order_by(EvalRun.started_at.desc())))
        session.expunge_all()
    return runs


def get_run(store: TranscriptStore, run_id: str) -> EvalRun | None:
    """A run by id, or by unique id prefix."""
    with store.session() as session:
        run = session.get(EvalRun, run_id)
        if run is None:
            matches = list(session.scalars(select(EvalRun).where(EvalRun.id.startswith(run_id))))
            run = matches[0] if len(matches) == 1 else None
        if run is not None:
            session.expunge(run)
    return run


def annotations_for(store: TranscriptStore, transcript_ids: list[str]) -> dict[str, list[Annotation]]:
    """Annotations per transcript, oldest first."""
    if not transcript_ids:
        return {}
    with store.session() as session:
        rows = list(
            session.scalars(
                select(Annotation)
                .where(Annotation.transcript_id.in_(transcript_ids))
                .order_by(Annotation.created_at, Annotation.id)
            )
        )
        session.expunge_all()
    grouped: dict[str, list[Annotation]] = {}
    for row in rows:
        grouped.setdefault(row.transcript_id, []).append(row)
    return grouped


def latest_annotation(notes: dict[str, list[Annotation]], transcript_id: str) -> Annotation | None:
    """The newest annotation of a transcript, if any."""
    items = notes.get(transcript_id)
    return items[-1] if items else None


def run_rows(store: TranscriptStore, run_id: str) -> list[QuestionRow]:
    """Every question of a run in set order, with its transcript and latest annotation."""
    with store.session() as session:
        pairs = list(
            session.execute(
                select(EvalResult, Transcript)
                .join(Transcript, Transcript.id == EvalResult.transcript_id)
                .where(EvalResult.run_id == run_id)
                .order_by(EvalResult.id)
            ).all()
        )
        session.expunge_all()
    notes = annotations_for(store, [result.transcript_id for result, _ in pairs])
    return [
        QuestionRow(
            result=result,
            transcript=transcript,
            question=json.loads(result.question_json),
            annotation=latest_annotation(notes, result.transcript_id),
        )
        for result, transcript in pairs
    ]


@dataclass
class Change:
    """How one question moved between two runs."""

    question_id: str
    topic: str
    changes: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)
    answer_changed: bool = False
    previously_flagged: str = ""  # 'wrong' or 'unsafe' when run A's answer was annotated so

    @property
    def verdict(self) -> str:
        better = sum(1 for a, b in self.changes.values() if (b or 0) > (a or 0))
        worse = sum(1 for a, b in self.changes.values() if (b or 0) < (a or 0))
        if better and not worse:
            return "better"
        if worse and not better:
            return "worse"
        return "mixed" if better else "same"


METRICS = ("lead", "cited_gold", "recall", "reciprocal_rank", "citation_precision", "fact_coverage")


def compare_runs(store: TranscriptStore, run_a: str, run_b: str) -> list[Change]:
    """Per-question differences from run A to run B (questions present in both), flagged answers first."""
    rows_a = {row.result.question_id: row for row in run_rows(store, run_a)}
    rows_b = {row.result.question_id: row for row in run_rows(store, run_b)}
    changes: list[Change] = []
    for question_id, a in rows_a.items():
        b = rows_b.get(question_id)
        if b is None:
            continue
        change = Change(question_id=question_id, topic=a.result.topic)
        for metric in METRICS:
            before, after = getattr(a.result, metric), getattr(b.result, metric)
            if before != after:
                change.changes[metric] = (before, after)
        if a.result.declined != b.result.declined:
            change.changes["declined"] = (float(a.result.declined), float(b.result.declined))
        change.answer_changed = a.transcript.answer_text != b.transcript.answer_text
        if a.annotation is not None and a.annotation.verdict in ("wrong", "unsafe"):
            change.previously_flagged = a.annotation.verdict
        changes.append(change)
    changes.sort(key=lambda c: (not (c.previously_flagged and c.answer_changed), c.verdict == "same", c.question_id))
    return changes
