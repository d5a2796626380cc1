"""JSON API: ask (plain and server-sent events), feedback, sources, health and metrics.

Shapes (all errors are `{"error": code, "message": text}`):

- `POST /api/ask` `{question, conversation_id?}` -> `{"answer": Answer, "conversation_id", "transcript_id",
  "evidence_note"}` (`bots.present.evidence_note`: how well the guidance found answers it, for people)
- `POST /api/ask/stream` same body -> `text/event-stream`, sent as soon as the question is accepted (before
  the answer is worked out): `status` `{stage, text}` at once ("Searching the guidance...") and every few
  seconds while the answer is worked out; then `meta` `{conversation_id, transcript_id, question, declined,
  evidence, personal_data_notice, safeguarding_notice, legend}`; one `delta` `{text}` per line of the answer as
  shown (`bots.present.answer_view(answer).body`: the text without the safeguarding notice, the legend and a
  decline's list of closest sections, which are shown from their own fields); `citations` `{citations,
  closest_sections, related_sections, legend, points, evidence_note}`; `done` (same JSON as `POST /api/ask`). A
  failure after the stream started is an `error` event `{error, message, status}` (the status the plain request
  would have).
- `POST /api/feedback` `{transcript_id, helpful, comment?, update?, feedback_id?}` -> `{"ok": true,
  "transcript_id", "feedback_id"}`: one row per click; `update` (with the `feedback_id` returned, when there
  was one) changes that row instead: the other button, or the optional comment.
- `GET /api/coverage` -> `Coverage`: the documents held and the well-known VSH documents (the sources
  manifest) that are not.
- `GET /api/sources/{doc_id}` -> `SourceDocument`
- `GET /healthz` -> `{status, index: {loaded, documents, version, error}, database: {reachable, pending}}`
  (503 unless both are fine); `GET /metrics` -> Prometheus text (bearer token `VSH_METRICS_TOKEN`, or
  loopback clients only when no token is set).
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

from bots.coverage import Coverage, load_coverage
from bots.present import answer_view, evidence_note
from bots.question_check import question_problem
from bots.service import ChannelService, Exchange, UnknownConversation
from bots.web.deps import RateLimit, ServiceDep, SettingsDep, StoreDep, client_key
from bots.web.schemas import (
    AskRequest,
    AskResponse,
    ErrorResponse,
    FeedbackRequest,
    FeedbackResponse,
    Health,
    SourceDocument,
)
from bots.web.sources import fetch_document, source_document
from index import IndexUnavailable
from settings import Settings

__all__ = ["router", "sse", "STATUS_EVERY_S"]

router = APIRouter()
log = logging.getLogger("vsh.web")
STATUS_EVERY_S = 3.0
"""While an answer is worked out, a `status` event this often (also keeps proxies from closing the stream)."""

ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body is not JSON."},
    404: {"model": ErrorResponse, "description": "Unknown conversation or transcript."},
    413: {"model": ErrorResponse, "description": "The question is too long."},
    422: {"model": ErrorResponse, "description": "Empty question or invalid field."},
    429: {"model": ErrorResponse, "description": "Rate limit reached; see Retry-After."},
    503: {"model": ErrorResponse, "description": "The guidance index is not available."},
}


def _check_text(text: str, what: str) -> None:
    """400 for text that is not valid Unicode (a lone surrogate such as U+DCFF cannot be stored or searched)."""
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        raise HTTPException(
            400, f"The {what} contains a character that is not valid text (a lone surrogate); please retype it."
        )


def _check_question(question: str, settings: Settings) -> None:
    _check_text(question, "question")
    problem = question_problem(question, settings.max_question_chars)
    if problem is not None:
        raise HTTPException(*problem)


async def _exchange(body: AskRequest, service: ChannelService, settings: Settings) -> Exchange:
    _check_question(body.question, settings)
    try:
        return await run_in_threadpool(service.ask, body.question, body.conversation_id)
    except IndexUnavailable as exc:
        raise HTTPException(503, str(exc)) from exc
    except UnknownConversation as exc:
        raise HTTPException(404, f"Unknown conversation id. {exc.hint}") from exc


def _response(ex: Exchange) -> dict[str, Any]:
    return {
        "answer": ex.answer.model_dump(mode="json"),
        "conversation_id": ex.conversation_id,
        "transcript_id": ex.transcript_id or "",
        "evidence_note": evidence_note(ex.answer),
    }


@router.post("/api/ask", response_model=AskResponse, responses=ERRORS, tags=["ask"])
async def ask(body: AskRequest, service: ServiceDep, settings: SettingsDep, _: RateLimit) -> JSONResponse:
    """Answer a question with citations (or decline with the closest sections)."""
    return JSONResponse(_response(await _exchange(body, service, settings)))


def sse(event: str, data: Any) -> str:
    """One server-sent event (data is JSON on a single line)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _answer_events(ex: Exchange) -> list[str]:
    a = ex.answer
    view = answer_view(a)
    events = [
        sse(
            "meta",
            {
                "conversation_id": ex.conversation_id,
                "transcript_id": ex.transcript_id or "",
                "question": a.question,
                "declined": a.declined,
                "evidence": a.evidence,
                "personal_data_notice": a.personal_data_notice,
                "safeguarding_notice": a.safeguarding_notice,
                "legend": a.legend,
            },
        )
    ]
    events += [sse("delta", {"text": piece}) for piece in view.body.splitlines(keepends=True)]
    events.append(
        sse(
            "citations",
            {
                "citations": [c.model_dump(mode="json") for c in a.citations],
                "closest_sections": [c.model_dump(mode="json") for c in a.closest_sections],
                "related_sections": [c.model_dump(mode="json") for c in a.related_sections],
                "legend": a.legend,
                "points": [p.model_dump(mode="json") for p in a.points],
                "evidence_note": evidence_note(a),
            },
        )
    )
    events.append(sse("done", _response(ex)))
    return events


def _failure(exc: BaseException) -> dict[str, Any]:
    """The `error` event of a stream that failed after it started (the shape and status of a plain error)."""
    if isinstance(exc, IndexUnavailable):
        return {"error": "unavailable", "message": str(exc), "status": 503}
    if isinstance(exc, UnknownConversation):
        return {"error": "not_found", "message": f"Unknown conversation id. {exc.hint}", "status": 404}
    log.error("streamed answer failed: %s", type(exc).__name__, exc_info=exc)
    message = "Something went wrong on our side; the error has been logged. Please try again."
    return {"error": "internal_error", "message": message, "status": 500}


async def _events(body: AskRequest, service: ChannelService) -> AsyncIterator[str]:
    """`status` at once, then the answer's events when it is ready (status again every few seconds)."""
    yield sse("status", {"stage": "searching", "text": "Searching the guidance…"})
    work = asyncio.ensure_future(run_in_threadpool(service.ask, body.question, body.conversation_id))
    while True:
        try:
            ex = await asyncio.wait_for(asyncio.shield(work), timeout=STATUS_EVERY_S)
            break
        except TimeoutError:
            yield sse("status", {"stage": "working", "text": "Still working on the answer…"})
        except Exception as exc:
            yield sse("error", _failure(exc))
            return
    for event in _answer_events(ex):
        yield event
        await asyncio.sleep(0)


@router.post(
    "/api/ask/stream",
    responses={
        **ERRORS,
        200: {"content": {"text/event-stream": {}}, "description": "status+, meta, delta*, citations, done"},
    },
    tags=["ask"],
)
async def ask_stream(body: AskRequest, service: ServiceDep, settings: SettingsDep, _: RateLimit) -> StreamingResponse:
    """The answer as server-sent events: `status` at once, then `meta`, `delta` (one per line), `citations`,
    `done`. Bad questions, a missing index and unknown conversations are refused before the stream starts."""
    _check_question(body.question, settings)
    try:
        await run_in_threadpool(service.index.get)
        if body.conversation_id:
            await run_in_threadpool(service.conversation, body.conversation_id)
    except IndexUnavailable as exc:
        raise HTTPException(503, str(exc)) from exc
    except UnknownConversation as exc:
        raise HTTPException(404, f"Unknown conversation id. {exc.hint}") from exc
    return StreamingResponse(
        _events(body, service),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/api/feedback", response_model=FeedbackResponse, responses=ERRORS, tags=["feedback"])
async def feedback(body: FeedbackRequest, service: ServiceDep, _: RateLimit) -> FeedbackResponse:
    """Record a click on Helpful / Not helpful (one row per click); `update` changes that row instead (the other
    button, or the optional comment, redacted before it is stored)."""
    _check_text(body.comment or "", "comment")
    try:
        row = await run_in_threadpool(
            lambda: service.feedback(
                body.transcript_id, body.helpful, body.comment, update=body.update, feedback_id=body.feedback_id
            )
        )
    except KeyError as exc:
        raise HTTPException(404, "Unknown transcript id: feedback must refer to an answer given here.") from exc
    return FeedbackResponse(transcript_id=body.transcript_id, feedback_id=row)


@router.get("/api/coverage", response_model=Coverage, responses=ERRORS, tags=["sources"])
async def coverage(service: ServiceDep, settings: SettingsDep) -> Coverage:
    """What the assistant can answer from: the documents held, and the well-known VSH documents (the sources
    manifest) that are not held."""
    try:
        documents = await run_in_threadpool(service.index.documents)
    except IndexUnavailable as exc:
        raise HTTPException(503, str(exc)) from exc
    return load_coverage(documents, settings.sources_manifest, settings.govuk_base_url)


@router.get("/api/sources/{doc_id}", response_model=SourceDocument, responses=ERRORS, tags=["sources"])
async def source(doc_id: str, service: ServiceDep) -> SourceDocument:
    """One document: metadata, what its status means, and its sections and passages in order."""
    return source_document(*await fetch_document(service, doc_id, f"Unknown document {doc_id!r}."))


@router.get("/healthz", response_model=Health, responses={503: {"model": Health}}, tags=["operations"])
async def healthz(service: ServiceDep, store: StoreDep) -> JSONResponse:
    """Index loaded (with its document count) and database reachable; 503 when either is not."""
    index: dict[str, object] = {"loaded": False, "documents": 0, "version": "", "error": ""}
    try:
        docs = await run_in_threadpool(service.index.documents)
        index.update(loaded=True, documents=len(docs), version=service.index.version)
    except IndexUnavailable as exc:
        index["error"] = str(exc)
    reachable = await run_in_threadpool(store.ping)
    if reachable and store.pending:
        await run_in_threadpool(store.flush)
    database: dict[str, object] = {"reachable": reachable, "pending": store.pending}
    ok = bool(index["loaded"]) and int(index["documents"]) > 0 and reachable  # type: ignore[call-overload]
    body = {"status": "ok" if ok else "unavailable", "index": index, "database": database}
    return JSONResponse(body, status_code=200 if ok else 503)


LOOPBACK = ("127.0.0.1", "::1", "localhost")


@router.get("/metrics", tags=["operations"], response_class=Response)
async def metrics(request: Request, settings: SettingsDep) -> Response:
    """Prometheus metrics: with `VSH_METRICS_TOKEN` set, for `Authorization: Bearer <token>` only; without it,
    for loopback clients only (a scraper on the same machine)."""
    token = settings.metrics_token.get_secret_value()
    if token:
        given = request.headers.get("authorization", "")
        if not secrets.compare_digest(given.encode(), f"Bearer {token}".encode()):
            raise HTTPException(
                401, "Metrics need the bearer token (VSH_METRICS_TOKEN).", {"WWW-Authenticate": "Bearer"}
            )
    elif client_key(request) not in LOOPBACK:
        raise HTTPException(
            403, "Metrics are served to loopback clients only; set VSH_METRICS_TOKEN to scrape remotely."
        )
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
