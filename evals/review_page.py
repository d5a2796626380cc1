"""The one-transcript review screen: what it shows, for the review routers (`evals.review`, `evals.review_approve`)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy import select

from assistant import Answer
from assistant.retrieve import Retriever
from bots.present import marked_runs
from evals.models import VERDICTS, Annotation, EvalResult
from evals.results import annotations_for, get_run
from evals.review_rows import ListFilters, filtered_rows, position, score_words
from storage import TranscriptStore
from storage.approved import ApprovedAnswer

__all__ = ["Correction", "Draft", "index_of", "page", "store_of", "templates", "transcript_page"]

templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
SHORTCUTS = (
    ("1 to 4", "choose the verdict"),
    ("a", "approve the answer for reuse"),
    ("Enter", "save and go to the next"),
    ("n / p", "next / previous transcript"),
    ("j / k", "next / previous citation (Enter opens it)"),
    ("c", "comment"),
    ("e", "write a corrected answer"),
)


@dataclass
class Correction:
    """The corrected-answer form being filled in: its text, the passages chosen, the last search."""

    text: str = ""
    chosen: list[Any] = field(default_factory=list)  # passages
    query: str = ""
    results: list[Any] = field(default_factory=list)  # passages found
    error: str = ""


@dataclass
class Draft:
    """A verdict not saved because `conflict`, another reviewer's, was saved while this one was being written."""

    verdict: str = ""
    comment: str = ""
    approve: bool = False
    conflict: Annotation | None = None


def store_of(request: Request) -> TranscriptStore:
    store: TranscriptStore = request.app.state.store
    return store


def index_of(request: Request) -> Retriever:
    """The index the web app answers from; 503 with the rebuild hint when there is none."""
    from index import IndexUnavailable

    try:
        index: Retriever = request.app.state.assistant.index
    except IndexUnavailable as exc:
        raise HTTPException(status_code=503, detail=f"The guidance index is not available: {exc}") from exc
    return index


def page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _approvals(store: TranscriptStore, transcript_id: str) -> list[ApprovedAnswer]:
    with store.session() as db:
        rows = list(
            db.scalars(
                select(ApprovedAnswer)
                .where(ApprovedAnswer.transcript_id == transcript_id)
                .order_by(ApprovedAnswer.created_at.desc())
            )
        )
        db.expunge_all()
    return rows


def transcript_page(
    request: Request,
    session: dict[str, Any],
    transcript_id: str,
    filters: ListFilters,
    correction: Correction | None = None,
    status_code: int = 200,
    draft: Draft | None = None,
) -> HTMLResponse:
    """The review screen of one transcript, placed in the list `filters` select."""
    store = store_of(request)
    transcript = store.get(transcript_id)
    if transcript is None:
        raise HTTPException(status_code=404, detail="No such transcript.")
    with store.session() as db:
        result = db.scalar(select(EvalResult).where(EvalResult.transcript_id == transcript_id))
        if result is not None:
            db.expunge(result)
    if not filters.run and result is not None and not filters.query:
        filters.run = result.run_id
    run = get_run(store, filters.run) if filters.run else None
    rows = filtered_rows(store, run.id if run else "", filters)
    answer = Answer.model_validate_json(transcript.answer_json)
    if correction is None:
        correction = Correction(text=answer.text.replace(answer.legend, "").strip() if answer.legend else answer.text)
        index = None
        try:
            index = request.app.state.assistant.index
        except Exception:  # the page still shows; choosing passages needs the index
            index = None
        if index is not None:
            correction.chosen = [p for c in answer.citations if (p := index.passage(c.passage_id)) is not None]
    context = {
        "session": session,
        "transcript": transcript,
        "answer": answer,
        "answer_runs": marked_runs(answer),  # the text, the answering sentence marked as the user saw it
        "result": result,
        "question": json.loads(result.question_json) if result else None,
        "scores": score_words(result),
        "annotations": annotations_for(store, [transcript_id]).get(transcript_id, []),
        "approvals": _approvals(store, transcript_id),
        "feedback": store.feedback_for(transcript_id),
        "verdicts": VERDICTS,
        "filters": filters,
        "place": position(rows, transcript_id),
        "saved": request.query_params.get("saved") == "1",
        "corrected": request.query_params.get("corrected") == "1",
        "withdrawn": request.query_params.get("withdrawn") == "1",
        "correction": correction,
        "draft": draft or Draft(),
        "shortcuts": SHORTCUTS,
    }
    return page(request, "review_transcript.html", context, status_code)
