"""ASGI middleware guarding the web app before any route runs.

- `BodySizeLimit`: a request body larger than `max_bytes` gets 413. A declared Content-Length over the limit
  is refused before a byte is read; a chunked or understated body is counted while it is read and refused
  as soon as it passes the limit, so at most `max_bytes` of it is ever held in memory.
- `SameSiteRedirects`: a redirect that points at the Host header the client sent (Starlette's slash
  redirect builds absolute URLs from it) is made relative, so `Host: evil.example` cannot send a visitor
  off-site.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodySizeLimit", "BodyTooLarge", "SameSiteRedirects"]


class BodyTooLarge(HTTPException):
    """413: the request body passed the limit while it was being read."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(413, f"The request body is too large; the limit is {max_bytes:,} bytes.")


class BodySizeLimit:
    """413 for bodies over `max_bytes` (0 = no limit), counted while reading."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.max_bytes <= 0:
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        await self.app(scope, counted, send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"error": "request_too_large", "message": BodyTooLarge(self.max_bytes).detail}, ensure_ascii=False
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class SameSiteRedirects:
    """Rewrites `Location: <scheme>://<the request's Host>/path` to `/path` (see the module docstring)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1").lower()

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = []
                for name, value in message.get("headers", []):
                    if name.lower() == b"location":
                        value = _relative(value.decode("latin-1"), host).encode("latin-1")
                    headers.append((name, value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_wrapper)


def _relative(location: str, host: str) -> str:
    parts = urlsplit(location)
    if not parts.netloc or parts.netloc.lower() != host:
        return location
    path = parts.path or "/"
    if path.startswith("//"):
        path = "/" + path.lstrip("/")
    return path + (f"?{parts.query}" if parts.query else "")
