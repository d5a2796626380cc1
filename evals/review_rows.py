"""The rows of the /review list: filters that travel with the reviewer, neighbours, scores in words."""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select

from evals.models import EvalResult
from evals.results import annotations_for, latest_annotation, run_rows
from storage import Feedback, Transcript, TranscriptStore

__all__ = ["ListFilters", "Position", "filtered_rows", "position", "score_words"]


@dataclass
class ListFilters:
    """What the list is filtered by. It travels in every link and form of the transcript pages, so that
    saving, "next" and "back to the list" keep the reviewer's filters and place."""

    run: str = ""
    topic: str = ""
    verdict: str = ""
    feedback: str = ""
    declined: str = ""  # yes | no
    lead: str = ""  # wrong: an answerable question not led by a gold paragraph
    q: str = ""  # words of the question
    max_score: float | None = None

    @classmethod
    def from_query(cls, query: str | dict[str, Any]) -> ListFilters:
        items = dict(parse_qsl(query)) if isinstance(query, str) else dict(query)
        raw_score = str(items.get("max_score") or "").strip()
        try:
            max_score = float(raw_score) if raw_score else None
        except ValueError:
            max_score = None
        text = {f.name: str(items.get(f.name) or "")[:100] for f in fields(cls) if f.name != "max_score"}
        return cls(max_score=max_score, **text)

    @property
    def query(self) -> str:
        """'run=...&verdict=none' (empty filters left out)."""
        pairs = {f.name: getattr(self, f.name) for f in fields(self)}
        return urlencode({k: v for k, v in pairs.items() if v not in ("", None)})

    def suffix(self, *extra: str) -> str:
        """'?run=...&saved=1', or '' when there is nothing to add."""
        parts = [p for p in (self.query, *extra) if p]
        return "?" + "&".join(parts) if parts else ""


def _feedback(store: TranscriptStore, transcript_ids: list[str]) -> dict[str, str]:
    """'helpful' / 'not_helpful' (latest click) per transcript."""
    if not transcript_ids:
        return {}
    with store.session() as session:
        clicks = list(
            session.execute(
                select(Feedback.transcript_id, Feedback.helpful)
                .where(Feedback.transcript_id.in_(transcript_ids))
                .order_by(Feedback.created_at, Feedback.id)
            ).all()
        )
    return {tid: ("helpful" if helpful else "not_helpful") for tid, helpful in clicks}


def _live_rows(store: TranscriptStore) -> list[dict[str, Any]]:
    with store.session() as session:
        live = list(
            session.scalars(
                select(Transcript)
                .where(Transcript.channel.in_(("web", "slack")))
                .order_by(Transcript.created_at.desc())
                .limit(500)
            )
        )
        session.expunge_all()
    notes = annotations_for(store, [t.id for t in live])
    rows = []
    for transcript in live:
        latest = latest_annotation(notes, transcript.id)
        rows.append(
            {
                "transcript": transcript,
                "result": None,
                "topic": transcript.question_type,
                "score": transcript.confidence,
                "verdict": latest.verdict if latest else "",
            }
        )
    return rows


def filtered_rows(store: TranscriptStore, run_id: str, filters: ListFilters) -> list[dict[str, Any]]:
    """Transcripts of one run (or the live channels when `run_id` is empty), as list rows, filtered."""
    rows: list[dict[str, Any]]
    if run_id:
        rows = [
            {
                "transcript": item.transcript,
                "result": item.result,
                "topic": item.result.topic,
                "score": item.result.fact_coverage,
                "verdict": item.annotation.verdict if item.annotation else "",
            }
            for item in run_rows(store, run_id)
        ]
    else:
        rows = _live_rows(store)
    feedback_by = _feedback(store, [row["transcript"].id for row in rows])
    for row in rows:
        row["feedback"] = feedback_by.get(row["transcript"].id, "")
    f = filters
    words = f.q.lower().split()
    return [
        row
        for row in rows
        if (not f.topic or row["topic"] == f.topic)
        and all(w in row["transcript"].question.lower() for w in words)
        and (not f.declined or bool(row["transcript"].declined) == (f.declined == "yes"))
        and (f.lead != "wrong" or (row["result"] is not None and row["result"].answerable and not row["result"].lead))
        and (not f.verdict or row["verdict"] == f.verdict or (f.verdict == "none" and not row["verdict"]))
        and (not f.feedback or row["feedback"] == f.feedback)
        and (f.max_score is None or (row["score"] is not None and row["score"] <= f.max_score))
    ]


@dataclass
class Position:
    """Where a transcript sits in the filtered list: 1-based number, total, and its neighbours' ids."""

    number: int
    total: int
    previous: str
    next: str


def position(rows: list[dict[str, Any]], transcript_id: str) -> Position:
    """The transcript's place in `rows`; one no longer in the list (just reviewed) keeps no number."""
    ids = [row["transcript"].id for row in rows]
    if transcript_id not in ids:
        return Position(0, len(ids), "", ids[0] if ids else "")
    i = ids.index(transcript_id)
    return Position(i + 1, len(ids), ids[i - 1] if i > 0 else "", ids[i + 1] if i + 1 < len(ids) else "")


def _yes(value: float | None) -> str:
    return "yes" if value else "no"


def _of(share: float | None, total: int) -> str:
    if share is None or not total:
        return "–"
    return f"{round(share * total)} of {total}"


def score_words(result: EvalResult | None) -> list[tuple[str, str]]:
    """An evaluation result's scores as (what, value in words), e.g. ("cited the right paragraph", "yes")."""
    if result is None:
        return []
    question = json.loads(result.question_json or "{}")
    if not result.answerable:
        return [("should decline (the guidance does not answer it)", "yes"), ("declined", _yes(result.declined))]
    gold = len(question.get("gold", []))
    facts = len(question.get("key_facts", []))
    return [
        ("led with the right paragraph", _yes(result.lead)),
        ("cited the right paragraph", _yes(result.cited_gold)),
        ("expected places found in the top 5 passages", _of(result.recall, gold)),
        ("key facts in the answer", _of(result.fact_coverage, facts)),
        ("declined", _yes(result.declined) + (" (it should not have)" if result.declined else "")),
    ]
