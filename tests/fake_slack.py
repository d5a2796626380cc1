"""A fake Slack Web API on loopback (a real `ThreadingHTTPServer` in a thread) that records every call,
plus helpers to sign requests the way Slack does."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

__all__ = ["FakeSlack", "Call", "fake_slack", "sign", "signed_headers", "BOT_USER", "TEAM"]

BOT_USER = "UBOT0001"
BOT_ID = "BBOT0001"
TEAM = "T0TEST001"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlack:
    """Speaks auth.test, chat.postMessage, chat.update, chat.postEphemeral, views.open (and answers ok to
    anything else). `fail[method] = "error_code"` makes a method fail. Calls are recorded in order."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.fail: dict[str, str] = {}
        self._cond = threading.Condition()
        self._ts = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8") if length else ""
                ctype = self.headers.get("Content-Type", "")
                args: dict[str, Any]
                if "json" in ctype and raw:
                    args = json.loads(raw)
                else:
                    args = dict(parse_qsl(raw, keep_blank_values=True))
                    for key in ("blocks", "view", "attachments"):
                        if isinstance(args.get(key), str):
                            with suppress(ValueError):
                                args[key] = json.loads(args[key])
                method = self.path.split("?")[0].rstrip("/").split("/")[-1]
                body = fake._respond(method, args, dict(self.headers.items()))
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        self.url = f"http://127.0.0.1:{self.port}/api/"
        self.response_url = f"http://127.0.0.1:{self.port}/response/commands/1"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), name="fake-slack", daemon=True)

    def _respond(self, method: str, args: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        with self._cond:
            self.calls.append(Call(method, args, headers))
            self._cond.notify_all()
        if method in self.fail:
            return {"ok": False, "error": self.fail[method]}
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "vsh",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            ts = args.get("ts") or f"1800000000.{next(self._ts):06d}"
            out = {"ok": True, "channel": args.get("channel"), "ts": ts}
            if method == "chat.postEphemeral":
                out = {"ok": True, "message_ts": ts}
            return out
        if method == "views.open":
            return {"ok": True, "view": {"id": "V0001", **(args.get("view") or {})}}
        return {"ok": True}

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> FakeSlack:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- queries -----------------------------------------------------------------------------------

    def of(self, method: str) -> list[Call]:
        with self._cond:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, predicate: Callable[[FakeSlack], Any], timeout: float = 120.0) -> Any:
        """Poll (bounded) until `predicate(self)` is truthy; return its value or fail after `timeout`."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate(self)
                if value:
                    return value
                left = deadline - time.monotonic()
                if left <= 0:
                    methods = [c.method for c in self.calls]
                    raise AssertionError(f"timed out after {timeout}s waiting on the fake Slack; calls: {methods}")
                self._cond.wait(timeout=min(left, 0.5))

    def replies(self) -> list[Call]:
        """Final replies in threads: chat.update calls, and thread posts that are not the placeholder."""
        with self._cond:
            return [
                c
                for c in self.calls
                if c.method == "chat.update"
                or (
                    c.method == "chat.postMessage"
                    and c.args.get("thread_ts")
                    and not str(c.args.get("text", "")).startswith("Looking that up")
                )
            ]


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    server = FakeSlack().start()
    try:
        yield server
    finally:
        server.stop()


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's request signature: v0= HMAC-SHA256 of 'v0:{timestamp}:{body}'."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, content_type: str, *, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sign(secret, ts, body),
    }
