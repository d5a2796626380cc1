"""`create_app()`: the FastAPI application of the web channel (chat page, source viewer, JSON API).

Other packages add routes through `extensions` (the registration point): each is called with the app once
its own routes are in and reaches the shared objects through `app.state` (settings, assistant, store,
service). The `vsh` command line passes the review pages (`evals.review.mount_review`) and Slack HTTP events
(`bots.slack.http.mount_slack_if_configured`); this module imports neither.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant import Assistant
from bots.service import ChannelService
from bots.web import api, pages
from bots.web.guards import BodySizeLimit, BodyTooLarge, SameSiteRedirects
from bots.web.metrics import MetricsMiddleware
from bots.web.ratelimit import SlidingWindowLimiter
from settings import Settings, get_settings
from storage import TranscriptStore, approved_answers_for

__all__ = ["AppExtension", "create_app"]

log = logging.getLogger("vsh.web")
AppExtension = Callable[[FastAPI], None]
"""Adds routes to the web app; reads the shared objects from `app.state`."""
HERE = Path(__file__).resolve().parent

ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "question_too_long",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


class SecurityHeaders:
    """Security headers on every response; a strict CSP on our own pages (not on /docs, which loads Swagger)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
                if not path.startswith(("/docs", "/redoc")):
                    headers += [(b"content-security-policy", CSP.encode()), (b"x-frame-options", b"DENY")]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


def _wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path in ("/healthz", "/metrics"):
        return False
    return "text/html" in request.headers.get("accept", "")


def _error(status: int, message: str, headers: dict[str, str] | None = None, code: str = "") -> JSONResponse:
    return JSONResponse(
        {"error": code or ERROR_CODES.get(status, "error"), "message": message}, status_code=status, headers=headers
    )


def _validation_message(exc: RequestValidationError) -> tuple[int, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, 'The request body is not valid JSON. Send e.g. {"question": "..."}.'
    parts = []
    for e in errors:
        loc = ".".join(str(x) for x in e.get("loc", ()) if x != "body") or "body"
        if e.get("type") == "missing":
            parts.append(f"'{loc}' is required")
        elif e.get("type") in ("model_attributes_type", "dict_type"):
            return 400, 'The request body must be a JSON object, e.g. {"question": "..."}.'
        else:
            parts.append(f"'{loc}': {e.get('msg', 'invalid')}")
    return 422, "Invalid request: " + "; ".join(parts) + "."


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else "Request failed."
        if exc.status_code == 404 and message == "Not Found":
            message = "There is nothing at this address."
        if _wants_html(request):
            return pages.templates.TemplateResponse(
                request,
                "error.html",
                {"status": exc.status_code, "message": message, "notice": pages.NOTICE},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        code = "request_too_large" if isinstance(exc, BodyTooLarge) else ""
        return _error(exc.status_code, message, getattr(exc, "headers", None), code)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, message = _validation_message(exc)
        return _error(status, message)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.error("unhandled error on %s %s: %s", request.method, request.url.path, type(exc).__name__, exc_info=exc)
        message = "Something went wrong on our side; the error has been logged. Please try again."
        if _wants_html(request):
            return HTMLResponse(f"<!doctype html><title>Error</title><p>{message}</p>", status_code=500)
        return _error(500, message)


def _precompute(assistant: Assistant, stop: threading.Event) -> None:
    """Embed every passage's sentences ahead of questions, four passages per job (background thread)."""
    started = time.perf_counter()
    try:
        done = assistant.precompute_units(batch_passages=4, stop=stop)
    except Exception as exc:  # the index may be missing: questions then embed what they need themselves
        log.warning("precomputing answer units stopped: %s", type(exc).__name__)
        return
    log.info("precomputed the answer units of %d passages in %.0f s", done, time.perf_counter() - started)


def create_app(
    settings: Settings | None = None,
    *,
    assistant: Assistant | None = None,
    store: TranscriptStore | None = None,
    answer_cache_size: int = 512,
    flush_interval: float = 5.0,
    precompute_units: bool = False,
    extensions: Sequence[AppExtension] = (),
) -> FastAPI:
    """The web app. One Assistant and one TranscriptStore per app (created here unless given).

    A missing index does not stop the app: /healthz and /api/ask answer 503 with the rebuild hint until an
    index appears (re-checked every few seconds). An unreachable database does not stop it either: the
    answers are still given and the transcripts queued (see `TranscriptStore`). With `precompute_units`
    (what `vsh serve` does), every passage's sentences are embedded in a background thread after start.
    `extensions` add the routes of other packages (see the module docstring).
    """
    settings = settings or get_settings()
    own_store = store is None
    store = store or TranscriptStore(settings.resolved_database_url)
    assistant = assistant or Assistant(settings, approved=approved_answers_for(settings, store))
    service = ChannelService(settings, assistant, store, channel="web", answer_cache_size=answer_cache_size)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await run_in_threadpool(store.migrate)
            removed = await run_in_threadpool(store.delete_older_than, settings.transcript_retention_days)
            if removed:
                log.info("deleted %d transcripts older than %d days", removed, settings.transcript_retention_days)
        except Exception as exc:  # the database may come back later: records are queued meanwhile
            log.error("database migration failed on %s: %s", store.safe_url, type(exc).__name__)
        with contextlib.suppress(Exception):
            await run_in_threadpool(service.index.get)  # open the index now (503 + hint if missing)
            await run_in_threadpool(assistant.warm)  # and load the model, so the first question is not slow
        stop = threading.Event()
        precompute = threading.Thread(target=_precompute, args=(assistant, stop), name="precompute-units", daemon=True)
        if precompute_units:
            precompute.start()

        async def flusher() -> None:
            while True:
                await asyncio.sleep(flush_interval)
                if store.pending:
                    with contextlib.suppress(Exception):
                        await run_in_threadpool(store.flush)

        task = asyncio.create_task(flusher())
        try:
            yield
        finally:
            stop.set()
            if precompute.is_alive():  # let its current job finish: torch must not be busy at interpreter exit
                await run_in_threadpool(precompute.join, 30)
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
            if own_store:
                await run_in_threadpool(store.close)
            elif store.pending:
                with contextlib.suppress(Exception):
                    await run_in_threadpool(store.flush)

    app = FastAPI(
        title="VSH Guidance Assistant",
        description="Cited answers from DfE guidance on the Virtual School Head role. "
        "This is guidance, not legal advice.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.store = store
    app.state.service = service
    app.state.limiter = SlidingWindowLimiter(settings.rate_limit_per_minute)

    _install_handlers(app)
    app.add_middleware(SameSiteRedirects)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes)
    app.add_middleware(SecurityHeaders)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type"],
            max_age=600,
        )
    app.add_middleware(MetricsMiddleware)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    for extend in extensions:
        extend(app)

    return app
