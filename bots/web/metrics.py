"""Prometheus metrics of the web channel (process-wide default registry, served at /metrics)."""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "REQUESTS",
    "REQUEST_SECONDS",
    "ANSWER_SECONDS",
    "ANSWERS",
    "DECLINES",
    "RATE_LIMITED",
    "CACHE_HITS",
    "MetricsMiddleware",
]

REQUESTS = Counter(
    "vsh_http_requests_total", "HTTP requests by route template, method and status.", ["route", "method", "status"]
)
REQUEST_SECONDS = Histogram("vsh_http_request_seconds", "HTTP request duration by route template.", ["route"])
ANSWER_SECONDS = Histogram(
    "vsh_answer_latency_seconds",
    "Time to produce an answer (assistant or answer cache), by channel.",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
ANSWERS = Counter("vsh_answers_total", "Answers given, by channel.", ["channel"])
DECLINES = Counter("vsh_declines_total", "Answers that declined (guidance does not cover it), by channel.", ["channel"])
RATE_LIMITED = Counter("vsh_rate_limited_total", "Requests refused by the per-client rate limit.", ["route"])
CACHE_HITS = Counter("vsh_answer_cache_hits_total", "Answers served from the answer cache.")
ANSWERS.labels(channel="web")  # export zeros from the start
DECLINES.labels(channel="web")
for _route in ("/api/ask", "/api/ask/stream", "/api/feedback"):
    RATE_LIMITED.labels(route=_route)


class MetricsMiddleware:
    """Counts every HTTP request by its route template (never the raw path: bounded label values)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = {"code": 500}
        start = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = _route_label(scope)
            REQUESTS.labels(route=route, method=scope.get("method", ""), status=str(status["code"])).inc()
            REQUEST_SECONDS.labels(route=route).observe(time.perf_counter() - start)


def _route_label(scope: MutableMapping[str, Any]) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    if path:
        return str(path)
    if str(scope.get("path", "")).startswith("/static/"):
        return "/static"
    return "unmatched"
