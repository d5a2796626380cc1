"""The /review pages: Virtual School Heads read transcripts (evaluation runs and live channels) with
their citations, mark them correct / partly correct / wrong / unsafe, and export to CSV.

Access needs a reviewer account (`vsh users add NAME`). The session is a signed cookie (itsdangerous)
keyed by `settings.session_secret`, or by a random secret kept in the data directory. Every POST form
carries a CSRF token bound to the session. Pages without a session redirect to the login page (303);
the CSV export answers 401.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from assistant import Answer
from evals.models import VERDICTS, Annotation, EvalResult
from evals.results import annotations_for, get_run, latest_annotation, list_runs, run_rows
from evals.reviewers import verify_reviewer
from storage import Feedback, Transcript, TranscriptStore

__all__ = ["SESSION_COOKIE", "mount_review", "router", "session_secret"]

SESSION_COOKIE = "vsh_review"
SESSION_MAX_AGE = 8 * 3600
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
router = APIRouter(prefix="/review", include_in_schema=False)


def session_secret(settings: Any) -> str:
    """The configured secret, else one generated once and kept in the data directory."""
    configured = settings.session_secret.get_secret_value()
    if configured:
        return str(configured)
    path = Path(settings.data_dir) / "session_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_secret(request.app.state.settings), salt="vsh-review-session")


def _store(request: Request) -> TranscriptStore:
    store: TranscriptStore = request.app.state.store
    return store


def _session(request: Request) -> dict[str, str] | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        data = _serializer(request).loads(token, max_age=SESSION_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    return data if isinstance(data, dict) and "user" in data else None


def reviewer_session(request: Request) -> dict[str, str]:
    """Dependency for pages: the session, or a 303 redirect to the login page."""
    session = _session(request)
    if session is None:
        raise HTTPException(status_code=303, headers={"Location": f"/review/login?next={request.url.path}"})
    return session


def reviewer_session_api(request: Request) -> dict[str, str]:
    """Dependency for downloads: the session, or 401."""
    session = _session(request)
    if session is None:
        raise HTTPException(status_code=401, detail="Log in at /review/login to export transcripts.")
    return session


Session = Annotated[dict[str, str], Depends(reviewer_session)]


def _check_csrf(session: dict[str, str], token: str) -> None:
    if not secrets.compare_digest(session.get("csrf", ""), token or ""):
        raise HTTPException(status_code=403, detail="The form has expired; reload the page and try again.")


def _page(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, status_code=status_code)


# --- login ------------------------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/review") -> HTMLResponse:
    return _page(request, "review_login.html", {"next": _safe_next(next), "error": ""})


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/review",
) -> Response:
    if not verify_reviewer(_store(request), username, password):
        context = {"next": _safe_next(next), "error": "The username or password is not right."}
        return _page(request, "review_login.html", context, status_code=401)
    token = _serializer(request).dumps({"user": username.strip().lower(), "csrf": secrets.token_urlsafe(16)})
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/review",
    )
    return response


@router.post("/logout")
def logout(session: Session, csrf: Annotated[str, Form()]) -> Response:
    _check_csrf(session, csrf)
    response = RedirectResponse("/review/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/review")
    return response


def _safe_next(target: str) -> str:
    return target if target.startswith("/review") and "//" not in target else "/review"


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
    _check_csrf(session, csrf)
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
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
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
        ]
    )
    for row in rows:
        transcript = row["transcript"]
        latest = latest_annotation(notes, transcript.id)
        answer = Answer.model_validate_json(transcript.answer_json)
        writer.writerow(
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
            ]
        )
    name = f"vsh-review-{selected.id[:8] if selected else 'live'}.csv"
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def mount_review(app: FastAPI) -> None:
    """Web app extension (`create_app(extensions=...)`): the /review pages on the app's settings and store."""
    app.include_router(router)
