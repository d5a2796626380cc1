"""The /review pages: Virtual School Heads read transcripts (evaluation runs and live channels) with
their citations, mark them correct / partly correct / wrong / unsafe, approve or correct answers for reuse
(`evals.review_approve`), and export the list to CSV or JSON (`evals.review_export`).

One transcript per screen, verdict and "save and next" at the top, keyboard shortcuts (`static/review.js`);
the list's filters travel with the reviewer (`evals.review_rows.ListFilters`). Styles and scripts are files
under /review/static, so the pages keep the web app's strict Content-Security-Policy.

Access needs a reviewer account (`vsh users add NAME`); signing in, revocable sessions and login throttling
are in `evals.review_auth`. Every POST form carries a CSRF token bound to the session. Pages without a
session redirect to the login page (303); the exports answer 401.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, FastAPI, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from evals.models import VERDICTS, Annotation
from evals.results import annotations_for, get_run, latest_annotation, list_runs
from evals.review_approve import approve_router, approve_transcript, needs_rereview
from evals.review_auth import SESSION_COOKIE, Session, auth_router, check_csrf, session_secret
from evals.review_export import export_router
from evals.review_page import Draft, page, store_of, transcript_page
from evals.review_rows import ListFilters, filtered_rows, position

__all__ = ["SESSION_COOKIE", "mount_review", "router", "session_secret"]

log = logging.getLogger("vsh.review")
router = APIRouter(prefix="/review", include_in_schema=False)
STATIC = Path(__file__).with_name("static")


@router.get("", response_class=HTMLResponse)
def review_index(request: Request, session: Session) -> HTMLResponse:
    store = store_of(request)
    filters = ListFilters.from_query(dict(request.query_params))
    runs = list_runs(store)
    selected = get_run(store, filters.run) if filters.run else None
    run_id = selected.id if selected else ""
    rows = filtered_rows(store, run_id, filters)
    topics = sorted({row["topic"] for row in filtered_rows(store, run_id, ListFilters(run=filters.run))})
    context = {
        "session": session,
        "runs": [(r, json.loads(r.summary_json or "{}").get("overall", {})) for r in runs],
        "selected": selected,
        "rows": rows,
        "topics": topics,
        "verdicts": VERDICTS,
        "filters": filters,
        "stale": needs_rereview(request),
        "done": request.query_params.get("done") == "1",
    }
    return page(request, "review_index.html", context)


@router.get("/transcripts/{transcript_id}", response_class=HTMLResponse)
def transcript_view(request: Request, session: Session, transcript_id: str) -> HTMLResponse:
    return transcript_page(request, session, transcript_id, ListFilters.from_query(dict(request.query_params)))


@router.post("/transcripts/{transcript_id}/annotations")
def annotate(
    request: Request,
    session: Session,
    transcript_id: str,
    verdict: Annotated[str, Form()],
    csrf: Annotated[str, Form()],
    comment: Annotated[str, Form()] = "",
    approve: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
    seen: Annotated[str | None, Form()] = None,
) -> Response:
    """Save the verdict (and, with `approve`, approve the answer for reuse), then go to the next transcript
    of the list the reviewer came from, keeping its filters.

    `seen` is the id of the newest annotation the reviewer's page showed (0: none): when another reviewer has
    judged the transcript since, nothing is saved; the page comes back (409) showing their verdict, with this
    one kept in the form."""
    check_csrf(session, csrf)
    if verdict not in VERDICTS:
        raise HTTPException(status_code=422, detail=f"verdict must be one of {', '.join(VERDICTS)}")
    if approve and verdict != "correct":
        raise HTTPException(
            status_code=422,
            detail="Only an answer you judge correct can be approved as it is; write a corrected answer instead.",
        )
    store = store_of(request)
    transcript = store.get(transcript_id)
    if transcript is None:
        raise HTTPException(status_code=404, detail="No such transcript.")
    filters = ListFilters.from_query(back)
    latest = latest_annotation(annotations_for(store, [transcript_id]), transcript_id)
    if seen is not None and latest is not None and str(latest.id) != seen and latest.reviewer != session["user"]:
        draft = Draft(verdict=verdict, comment=comment[:5000], approve=bool(approve), conflict=latest)
        return transcript_page(request, session, transcript_id, filters, draft=draft, status_code=409)
    run = get_run(store, filters.run) if filters.run else None
    following = position(filtered_rows(store, run.id if run else "", filters), transcript_id).next
    with store.session() as db:
        db.add(
            Annotation(transcript_id=transcript_id, reviewer=session["user"], verdict=verdict, comment=comment[:5000])
        )
    if approve:
        approve_transcript(request, transcript, session["user"])
    if following:
        return RedirectResponse(f"/review/transcripts/{following}{filters.suffix('saved=1')}", status_code=303)
    return RedirectResponse(f"/review{filters.suffix('done=1')}#t-{transcript_id}", status_code=303)


def mount_review(app: FastAPI) -> None:
    """Web app extension (`create_app(extensions=...)`): the /review pages on the app's settings and store."""
    app.mount("/review/static", StaticFiles(directory=str(STATIC)), name="review-static")
    app.include_router(auth_router)
    app.include_router(approve_router)
    app.include_router(export_router)
    app.include_router(router)
