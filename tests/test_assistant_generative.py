"""Generative mode against a real loopback OpenAI-compatible server: good, uncited, mis-cited, broken replies."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant import Assistant
from settings import Settings

QUESTION = "Who manages PP+ for looked-after children?"
REPLY: dict[str, object] = {}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        body = json.loads(self.rfile.read(length))
        REPLY["last_request"] = body
        REPLY["auth"] = self.headers.get("Authorization", "")
        kind = REPLY["kind"]
        if kind == "sleep":
            time.sleep(1.5)
        if kind == "500":
            self.send_response(500)
            self.end_headers()
            return
        content = str(REPLY["content"])
        payload = (
            b"{not json"
            if kind == "invalid_envelope"
            else json.dumps({"choices": [{"message": {"role": "assistant", "content": content}}]}).encode()
        )
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError):
            self.wfile.write(payload)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


@pytest.fixture(scope="module")
def assistant(corpus_settings: Settings, server: str) -> Assistant:
    settings = corpus_settings.model_copy(
        update={
            "generative": True,
            "llm_base_url": server,
            "llm_model": "test",
            "llm_timeout_s": 0.5,
            "llm_api_key": __import__("pydantic").SecretStr("sk-test"),
        }
    )
    return Assistant(settings)


def _reply(kind: str, points: object = None, raw: str | None = None) -> None:
    REPLY["kind"] = kind
    REPLY["content"] = raw if raw is not None else json.dumps({"points": points})


def _para41_number(assistant: Assistant) -> int:
    _reply("ok", [])
    answer = assistant.ask(QUESTION)  # empty reply -> extractive; learn which [n] is para 41
    return next(c.number for c in answer.citations if "41" in c.paragraphs)


def test_good_reply_is_used_and_checked(assistant: Assistant) -> None:
    n = _para41_number(assistant)
    _reply(
        "ok",
        [
            {
                "text": "For looked-after children, PP+ funding is managed by the Virtual School Head (VSH) "
                "for the purpose of supporting their educational achievement.",
                "citations": [n],
            }
        ],
    )
    answer = assistant.ask(QUESTION)
    assert answer.mode == "generative"
    assert answer.points and all(p.supported for p in answer.points)
    assert any("41" in c.paragraphs for c in answer.citations)
    assert REPLY["auth"] == "Bearer sk-test"
    sent = json.dumps(REPLY["last_request"])
    assert "[1]" in sent and QUESTION in sent


def test_unsupported_sentence_is_dropped(assistant: Assistant) -> None:
    n = _para41_number(assistant)
    _reply(
        "ok",
        [
            {
                "text": "For looked-after children, PP+ funding is managed by the Virtual School Head (VSH). "
                "Every child also receives a free laptop and a holiday abroad each summer.",
                "citations": [n],
            }
        ],
    )
    answer = assistant.ask(QUESTION)
    assert answer.mode == "generative"
    assert "laptop" not in answer.text
    assert "dropped" in answer.generation_note


@pytest.mark.parametrize(
    ("kind", "points", "raw", "note"),
    [
        ("ok", [{"text": "The VSH manages PP+ for looked-after children.", "citations": []}], None, "cited no"),
        ("ok", [{"text": "The VSH manages PP+ for looked-after children.", "citations": [99]}], None, "do not exist"),
        ("ok", None, "Sure! The VSH manages it.", "not JSON"),
        ("invalid_envelope", None, "", "malformed"),
        ("500", None, "", "HTTP 500"),
        ("sleep", [], None, "did not answer"),
    ],
)
def test_bad_replies_fall_back_to_extractive(
    assistant: Assistant, kind: str, points: object, raw: str | None, note: str
) -> None:
    _reply(kind, points, raw)
    answer = assistant.ask(QUESTION)
    assert answer.mode == "extractive"
    assert not answer.declined and answer.citations
    assert note in answer.generation_note
