"""JSON API: ask (plain and server-sent events), feedback, sources, health and metrics.

Shapes (all errors are `{"error": code, "message": text}`):

- `POST /api/ask` `{question, conversation_id?}` -> `{"answer": Answer, "conversation_id", "transcript_id"}`
- `POST /api/ask/stream` same body -> `text/event-stream` with events, in order:
  `meta` `{conversation_id, transcript_id, question, declined, evidence, personal_data_notice,
  safeguarding_notice}`; one `delta` `{text}` per line of the answer (concatenated they equal
  `answer.text`); `citations` `{citations: [Citation], closest_sections: [ClosestSection]}`;
  `done` (same JSON as `POST /api/ask`).
- `POST /api/feedback` `{transcript_id, helpful, comment?}` -> `{"ok": true, "transcript_id"}`
- `GET /api/sources/{doc_id}` -> `SourceDocument`
- `GET /healthz` -> `{status, index: {loaded, documents, version, error}, database: {reachable, pending}}`
  (503 unless both are fine); `GET /metrics` -> Prometheus text (bearer token `VSH_METRICS_TOKEN`, or
  loopback clients only when no token is set).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.concurrency import run_in_threadpool

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

__all__ = ["router", "sse"]

router = APIRouter()

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
    if not question.strip():
        raise HTTPException(422, "The question is empty: type a question about the guidance.")
    if len(question) > settings.max_question_chars:
        raise HTTPException(
            413,
            f"The question is too long ({len(question)} characters); the limit is "
            f"{settings.max_question_chars}. Please shorten it.",
        )


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
    }


@router.post("/api/ask", response_model=AskResponse, responses=ERRORS, tags=["ask"])
async def ask(body: AskRequest, service: ServiceDep, settings: SettingsDep, _: RateLimit) -> JSONResponse:
    """Answer a question with citations (or decline with the closest sections)."""
    return JSONResponse(_response(await _exchange(body, service, settings)))


def sse(event: str, data: Any) -> str:
    """One server-sent event (data is JSON on a single line)."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def _events(ex: Exchange) -> AsyncIterator[str]:
    a = ex.answer
    yield sse(
        "meta",
        {
            "conversation_id": ex.conversation_id,
            "transcript_id": ex.transcript_id or "",
            "question": a.question,
            "declined": a.declined,
            "evidence": a.evidence,
            "personal_data_notice": a.personal_data_notice,
            "safeguarding_notice": a.safeguarding_notice,
        },
    )
    for piece in a.text.splitlines(keepends=True):
        yield sse("delta", {"text": piece})
        await asyncio.sleep(0)
    yield sse(
        "citations",
        {
            "citations": [c.model_dump(mode="json") for c in a.citations],
            "closest_sections": [c.model_dump(mode="json") for c in a.closest_sections],
            "related_sections": [c.model_dump(mode="json") for c in a.related_sections],
            "legend": a.legend,
        },
    )
    yield sse("done", _response(ex))


@router.post(
    "/api/ask/stream",
    responses={**ERRORS, 200: {"content": {"text/event-stream": {}}, "description": "meta, delta*, citations, done"}},
    tags=["ask"],
)
async def ask_stream(body: AskRequest, service: ServiceDep, settings: SettingsDep, _: RateLimit) -> StreamingResponse:
    """The same answer as server-sent events: `meta`, `delta` (one per line), `citations`, `done`."""
    ex = await _exchange(body, service, settings)
    return StreamingResponse(
        _events(ex),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post("/api/feedback", response_model=FeedbackResponse, responses=ERRORS, tags=["feedback"])
async def feedback(body: FeedbackRequest, service: ServiceDep, _: RateLimit) -> FeedbackResponse:
    """Record whether an answer helped (the comment is redacted before it is stored)."""
    _check_text(body.comment or "", "comment")
    try:
        await run_in_threadpool(service.feedback, body.transcript_id, body.helpful, body.comment)
    except KeyError as exc:
        raise HTTPException(404, "Unknown transcript id: feedback must refer to an answer given here.") from exc
    return FeedbackResponse(transcript_id=body.transcript_id)


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
