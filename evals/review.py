"""The /review pages: Virtual School Heads read transcripts (evaluation runs and live channels) with
their citations, mark them correct / partly correct / wrong / unsafe, and export to CSV.

Access needs a reviewer account (`vsh users add NAME`); signing in, revocable sessions and login throttling
are in `evals.review_auth`. Every POST form carries a CSRF token bound to the session. Pages without a
session redirect to the login page (303); the CSV export answers 401 (cells are made formula-safe by
`evals.export`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from assistant import Answer
from evals.export import csv_text
from evals.models import VERDICTS, Annotation, EvalResult
from evals.results import annotations_for, get_run, latest_annotation, list_runs, run_rows
from evals.review_auth import SESSION_COOKIE, Session, auth_router, check_csrf, reviewer_session_api, session_secret
from storage import Feedback, Transcript, TranscriptStore

__all__ = ["SESSION_COOKIE", "mount_review", "router", "session_secret"]

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
router = APIRouter(prefix="/review", include_in_schema=False)


def _store(request: Request) -> TranscriptStore:
    store: TranscriptStore = request.app.state.store
    return store


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


# --- listing ----------------------------------------------------------------------------------------


def _filtered_rows(
    store: TranscriptStore, run: str, topic: str, verdict: str, feedback: str, max_score: float | None
) -> list[dict[str, Any]]:
    """Transcripts of one run (or the live channels when `run` is empty), as table rows, filtered."""
    rows: list[dict[str, Any]] = []
    if run:
        for item in run_rows(store, run):
            rows.append(
                {
                    "transcript": item.transcript,
                    "topic": item.result.topic,
                    "score": item.result.fact_coverage,
                    "recall": item.result.recall,
                    "verdict": item.annotation.verdict if item.annotation else "",
                }
            )
    else:
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
        for transcript in live:
            latest = latest_annotation(notes, transcript.id)
            rows.append(
                {
                    "transcript": transcript,
                    "topic": transcript.question_type,
                    "score": transcript.confidence,
                    "recall": None,
                    "verdict": latest.verdict if latest else "",
                }
            )
    feedback_by = _feedback(store, [row["transcript"].id for row in rows])
    for row in rows:
        row["feedback"] = feedback_by.get(row["transcript"].id, "")
    return [
        row
        for row in rows
        if (not topic or row["topic"] == topic)
        and (not verdict or row["verdict"] == verdict or (verdict == "none" and not row["verdict"]))
        and (not feedback or row["feedback"] == feedback)
        and (max_score is None or (row["score"] is not None and row["score"] <= max_score))
    ]


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


@router.get("", response_class=HTMLResponse)
def review_index(
    request: Request,
    session: Session,
    run: str = "",
    topic: str = "",
    verdict: str = "",
    feedback: str = "",
    max_score: float | None = None,
) -> HTMLResponse:
    store = _store(request)
    runs = list_runs(store)
    selected = get_run(store, run) if run else None
    rows = _filtered_rows(store, selected.id if selected else "", topic, verdict, feedback, max_score)
    topics = sorted({row["topic"] for row in _filtered_rows(store, selected.id if selected else "", "", "", "", None)})
    context = {
        "session": session,
        "runs": [(r, json.loads(r.summary_json or "{}").get("overall", {})) for r in runs],
        "selected": selected,
        "rows": rows,
        "topics": topics,
        "verdicts": VERDICTS,
        "filters": {"run": run, "topic": topic, "verdict": verdict, "feedback": feedback, "max_score": max_score},
    }
    return _page(request, "review_index.html", context)


@router.get("/transcripts/{transcript_id}", response_class=HTMLResponse)
def transcript_page(request: Request, session: Session, transcript_id: str) -> HTMLResponse:
    store = _store(request)
    transcript = store.get(transcript_id)
    if transcript is None:
        raise HTTPException(status_code=404, detail="No such transcript.")
    with store.session() as db:
        result = db.scalar(select(EvalResult).where(EvalResult.transcript_id == transcript_id))
        if result is not None:
            db.expunge(result)
    context = {
        "session": session,
        "transcript": transcript,
        "answer": Answer.model_validate_json(transcript.answer_json),
        "result": result,
        "question": json.loads(result.question_json) if result else None,
        "annotations": annotations_for(store, [transcript_id]).get(transcript_id, []),
        "feedback": store.feedback_for(transcript_id),
        "verdicts": VERDICTS,
        "saved": request.query_params.get("saved") == "1",
    }
    return _page(request, "review_transcript.html", context)


@router.post("/transcripts/{transcript_id}/annotations")
def annotate(
    request: Request,
    session: Session,
    transcript_id: str,
    verdict: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
    comment: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(session, csrf)
    if verdict not in VERDICTS:
        raise HTTPException(status_code=422, detail=f"verdict must be one of {', '.join(VERDICTS)}")
    store = _store(request)
    if store.get(transcript_id) is None:
        raise HTTPException(status_code=404, detail="No such transcript.")
    with store.session() as db:
        db.add(
            Annotation(transcript_id=transcript_id, reviewer=session["user"], verdict=verdict, comment=comment[:5000])
        )
    return RedirectResponse(f"/review/transcripts/{transcript_id}?saved=1", status_code=303)


@router.get("/export.csv")
def export_csv(
    request: Request,
    session: Annotated[dict[str, str], Depends(reviewer_session_api)],
    run: str = "",
    topic: str = "",
    verdict: str = "",
    feedback: str = "",
    max_score: float | None = None,
) -> Response:
    store = _store(request)
    selected = get_run(store, run) if run else None
    rows = _filtered_rows(store, selected.id if selected else "", topic, verdict, feedback, max_score)
    notes = annotations_for(store, [row["transcript"].id for row in rows])
    header = [
        "transcript_id",
        "channel",
        "created_at",
        "topic",
        "question",
        "answer",
        "declined",
        "citations",
        "feedback",
        "verdict",
        "reviewer",
        "comment",
        "conversation_id",
    ]
    lines = []
    for row in rows:
        transcript = row["transcript"]
        latest = latest_annotation(notes, transcript.id)
        answer = Answer.model_validate_json(transcript.answer_json)
        lines.append(
            [
                transcript.id,
                transcript.channel,
                transcript.created_at.isoformat() if transcript.created_at else "",
                row["topic"],
                transcript.question,
                transcript.answer_text,
                transcript.declined,
                "; ".join(c.locator for c in answer.citations),
                row["feedback"],
                latest.verdict if latest else "",
                latest.reviewer if latest else "",
                latest.comment if latest else "",
                transcript.conversation_id,
            ]
        )
    name = f"vsh-review-{selected.id[:8] if selected else 'live'}.csv"
    return Response(
        csv_text(header, lines),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def mount_review(app: FastAPI) -> None:
    """Web app extension (`create_app(extensions=...)`): the /review pages on the app's settings and store."""
    app.include_router(auth_router)
    app.include_router(router)
