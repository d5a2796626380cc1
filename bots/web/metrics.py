"""Prometheus metrics of HTTP requests (process-wide default registry, served at /metrics); answer metrics
of every channel are in `bots.metrics`."""

from __future__ import annotations

import time
from collections.abc import MutableMapping
from typing import Any

from prometheus_client import Counter, Histogram
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "REQUESTS",
    "REQUEST_SECONDS",
    "RATE_LIMITED",
    "MetricsMiddleware",
]

REQUESTS = Counter(
    "vsh_http_requests_total", "HTTP requests by route template, method and status.", ["route", "method", "status"]
)
REQUEST_SECONDS = Histogram("vsh_http_request_seconds", "HTTP request duration by route template.", ["route"])
RATE_LIMITED = Counter("vsh_rate_limited_total", "Requests refused by the per-client rate limit.", ["route"])
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
