"""Hardening of the web app over real HTTP on loopback (issue 12): body size limit while reading, invalid
text, off-site redirects, server paths, /metrics access, the proxy policy for the rate limit, the database
file's mode and transcript retention."""

from __future__ import annotations

import os
import select
import socket
import stat
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from _servers import LiveServer, free_port, live_server
from fakes import FAKE_DOCUMENTS, fake_assistant
from pydantic import SecretStr
from sqlalchemy import update
from typer.testing import CliRunner

from bots.web import create_app
from bots.web.proxies import uvicorn_proxy_options
from settings import Settings
from storage import Transcript, TranscriptStore

QUESTION = "Which children is the Virtual School Head responsible for?"


@pytest.fixture
def server(fake_settings: Settings, store: TranscriptStore) -> Iterator[LiveServer]:
    settings = fake_settings.model_copy(update={"max_request_bytes": 64 * 1024})
    with live_server(create_app(settings, assistant=fake_assistant(settings), store=store)) as live:
        yield live


def _raw_post(port: int, headers: list[str], chunks: Iterator[bytes], limit_s: float = 60.0) -> tuple[bytes, int]:
    """POST over a raw socket, sending `chunks` until the server answers (or closes); returns the response
    head and how many body bytes were sent."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=limit_s) as sock:
        sock.sendall(("\r\n".join(["POST /api/ask HTTP/1.1", "Host: 127.0.0.1", *headers]) + "\r\n\r\n").encode())
        deadline = time.monotonic() + limit_s
        for chunk in chunks:
            if select.select([sock], [], [], 0)[0] or time.monotonic() > deadline:
                break  # the server has answered
            try:
                sock.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        response = b""
        sock.settimeout(30)
        try:
            while b"\r\n\r\n" not in response:
                data = sock.recv(65536)
                if not data:
                    break
                response += data
        except ConnectionResetError:
            pass
    return response, sent


def _rss_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def test_a_declared_large_body_is_refused_before_it_is_read(server: LiveServer) -> None:
    declared = 200 * 1024 * 1024
    head, sent = _raw_post(
        server.port,
        ["Content-Type: application/json", f"Content-Length: {declared}"],
        iter([b"x" * 65536] * 16),
    )
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
    assert sent < declared


def test_a_streamed_200_mb_body_is_cut_off_while_reading(server: LiveServer) -> None:
    before = _rss_kb()
    chunk = b"x" * (1024 * 1024)
    framed = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    head, sent = _raw_post(
        server.port, ["Content-Type: application/json", "Transfer-Encoding: chunked"], iter([framed] * 200)
    )
    assert head.startswith(b"HTTP/1.1 413"), head[:200]
    assert sent < 100 * len(framed), f"the server kept reading: {sent} bytes sent"
    assert _rss_kb() - before < 100 * 1024, "the body was buffered"
    ok = httpx.post(f"{server.base_url}/api/ask", json={"question": QUESTION}, timeout=60)
    assert ok.status_code == 200  # the server is fine afterwards


def test_a_streamed_body_over_the_limit_gets_a_json_413(server: LiveServer) -> None:
    def body() -> Iterator[bytes]:
        yield b'{"question": "'
        for _ in range(20):
            yield b"a" * 8192
        yield b'"}'

    response = httpx.post(
        f"{server.base_url}/api/ask", content=body(), headers={"Content-Type": "application/json"}, timeout=60
    )
    assert response.status_code == 413
    assert response.json()["error"] == "request_too_large"


def test_a_lone_surrogate_is_a_400_not_a_500(server: LiveServer) -> None:
    body = b'{"question": "What does the VSH do \\udcff?"}'
    response = httpx.post(
        f"{server.base_url}/api/ask", content=body, headers={"Content-Type": "application/json"}, timeout=60
    )
    assert response.status_code == 400, response.text
    assert "not valid text" in response.json()["message"]
    asked = httpx.post(f"{server.base_url}/api/ask", json={"question": QUESTION}, timeout=60).json()
    comment = b'{"transcript_id": "%s", "helpful": false, "comment": "bad \\ud800"}' % asked["transcript_id"].encode()
    feedback = httpx.post(
        f"{server.base_url}/api/feedback", content=comment, headers={"Content-Type": "application/json"}, timeout=60
    )
    assert feedback.status_code in (400, 422), feedback.text  # pydantic refuses it already: a clear 422


def test_a_feedback_row_id_too_large_for_the_database_is_a_422_not_a_500(server: LiveServer) -> None:
    asked = httpx.post(f"{server.base_url}/api/ask", json={"question": QUESTION}, timeout=60).json()
    body = {"transcript_id": asked["transcript_id"], "helpful": True, "update": True, "feedback_id": 10**30}
    response = httpx.post(f"{server.base_url}/api/feedback", json=body, timeout=60)
    assert response.status_code == 422, response.text
    assert "feedback_id" in response.json()["message"]


def test_a_foreign_host_header_never_redirects_off_site(fake_settings: Settings, store: TranscriptStore) -> None:
    from evals.review import mount_review

    app = create_app(fake_settings, assistant=fake_assistant(fake_settings), store=store, extensions=[mount_review])
    with live_server(app) as live:
        for path in ("/review/", "/review"):
            response = httpx.get(f"{live.base_url}{path}", headers={"Host": "evil.example"}, timeout=30)
            assert response.status_code in (303, 307), response.status_code
            location = response.headers["location"]
            assert location.startswith("/") and not location.startswith("//"), location
            assert "evil.example" not in location


def test_the_source_api_does_not_show_server_paths(server: LiveServer) -> None:
    doc = FAKE_DOCUMENTS[0]
    body = httpx.get(f"{server.base_url}/api/sources/{doc.doc_id}", timeout=30).json()
    assert "/" not in body["document"]["path"] and "\\" not in body["document"]["path"]
    assert doc.path not in httpx.get(f"{server.base_url}/api/sources/{doc.doc_id}").text


def test_metrics_need_the_token_when_one_is_set(fake_settings: Settings, store: TranscriptStore) -> None:
    settings = fake_settings.model_copy(update={"metrics_token": SecretStr("scrape-me-please")})
    with live_server(create_app(settings, assistant=fake_assistant(settings), store=store)) as live:
        assert httpx.get(f"{live.base_url}/metrics").status_code == 401
        wrong = httpx.get(f"{live.base_url}/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        right = httpx.get(f"{live.base_url}/metrics", headers={"Authorization": "Bearer scrape-me-please"})
        assert right.status_code == 200 and "vsh_http_requests_total" in right.text


def test_metrics_without_a_token_are_for_loopback_clients_only(fake_settings: Settings, store: TranscriptStore) -> None:
    settings = fake_settings.model_copy(update={"trusted_proxies": ["127.0.0.1"]})
    app = create_app(settings, assistant=fake_assistant(settings), store=store)
    with _uvicorn(app, settings) as base_url:
        assert httpx.get(f"{base_url}/metrics").status_code == 200
        remote = httpx.get(f"{base_url}/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert remote.status_code == 403 and "VSH_METRICS_TOKEN" in remote.json()["message"]


class _Uvicorn:
    def __init__(self, app: Any, settings: Settings) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", **uvicorn_proxy_options(settings)
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 60
        while not self.server.started:
            assert time.monotonic() < deadline and self.thread.is_alive()
            time.sleep(0.02)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)


def _uvicorn(app: Any, settings: Settings) -> _Uvicorn:
    """uvicorn configured as `vsh serve` configures it (the proxy policy included)."""
    return _Uvicorn(app, settings)


def test_varied_x_forwarded_for_does_not_dodge_the_rate_limit(fake_settings: Settings, store: TranscriptStore) -> None:
    settings = fake_settings.model_copy(update={"rate_limit_per_minute": 5})
    app = create_app(settings, assistant=fake_assistant(settings), store=store)
    with _uvicorn(app, settings) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        codes = [
            client.post(
                "/api/ask", json={"question": QUESTION}, headers={"X-Forwarded-For": f"198.51.100.{i}"}
            ).status_code
            for i in range(30)
        ]
    assert codes.count(200) == 5 and codes.count(429) == 25, codes


def test_a_trusted_proxy_gives_each_forwarded_client_its_own_limit(
    fake_settings: Settings, store: TranscriptStore
) -> None:
    settings = fake_settings.model_copy(update={"rate_limit_per_minute": 2, "trusted_proxies": ["127.0.0.1"]})
    app = create_app(settings, assistant=fake_assistant(settings), store=store)
    with _uvicorn(app, settings) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        ask = {"json": {"question": QUESTION}}
        first = [client.post("/api/ask", headers={"X-Forwarded-For": "198.51.100.1"}, **ask) for _ in range(3)]
        other = client.post("/api/ask", headers={"X-Forwarded-For": "198.51.100.2"}, **ask)
    assert [r.status_code for r in first] == [200, 200, 429]
    assert other.status_code == 200


def test_the_sqlite_file_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    store = TranscriptStore(f"sqlite:///{tmp_path / 'fresh' / 'vsh.sqlite3'}")
    store.migrate()
    store.engine.dispose()
    for name in ("vsh.sqlite3", "vsh.sqlite3-wal", "vsh.sqlite3-shm"):
        path = tmp_path / "fresh" / name
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, (name, oct(path.stat().st_mode))


def _age(store: TranscriptStore, transcript_id: str, days: int) -> None:
    with store.session() as s:
        s.execute(
            update(Transcript).where(Transcript.id == transcript_id).values(created_at=_now() - timedelta(days=days))
        )


def _now() -> Any:
    from storage import utcnow

    return utcnow()


def test_transcripts_delete_by_age_and_by_conversation(
    fake_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from evals.models import Annotation
    from vsh.cli import app as cli

    db = tmp_path / "data" / "vsh.sqlite3"
    store = TranscriptStore(f"sqlite:///{db}")
    store.migrate()
    app = create_app(fake_settings, assistant=fake_assistant(fake_settings), store=store)
    with live_server(app) as live, httpx.Client(base_url=live.base_url, timeout=60) as client:
        old = client.post("/api/ask", json={"question": QUESTION}).json()
        kept = client.post("/api/ask", json={"question": "What must a personal education plan contain?"}).json()
        gone = client.post("/api/ask", json={"question": "Who is the designated teacher?"}).json()
        client.post("/api/feedback", json={"transcript_id": old["transcript_id"], "helpful": False, "comment": "x"})
    with store.session() as s:
        s.add(Annotation(transcript_id=old["transcript_id"], reviewer="r", verdict="wrong", comment=""))
    _age(store, old["transcript_id"], 400)
    _age(store, kept["transcript_id"], 30)

    monkeypatch.setenv("VSH_DATA_DIR", str(tmp_path / "data"))
    from settings import get_settings

    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["transcripts", "delete"])  # the retention setting: 365 days
        assert result.exit_code == 0, result.output
        assert "deleted 1 live transcript" in result.output
        assert store.get(old["transcript_id"]) is None and store.feedback_for(old["transcript_id"]) == []
        with store.session() as s:
            assert s.query(Annotation).count() == 0
        assert store.get(kept["transcript_id"]) is not None

        result = CliRunner().invoke(cli, ["transcripts", "delete", "--conversation", gone["conversation_id"]])
        assert result.exit_code == 0 and "deleted 1 transcript" in result.output
        assert store.get(gone["transcript_id"]) is None

        result = CliRunner().invoke(cli, ["transcripts", "delete", "--older-than", "7"])
        assert "deleted 1 live transcript" in result.output and store.get(kept["transcript_id"]) is None
    finally:
        get_settings.cache_clear()
    store.engine.dispose()


def test_serve_start_up_applies_the_retention_setting(fake_settings: Settings, store: TranscriptStore) -> None:
    settings = fake_settings.model_copy(update={"transcript_retention_days": 10})
    app = create_app(settings, assistant=fake_assistant(settings), store=store)
    with live_server(app) as live:
        asked = httpx.post(f"{live.base_url}/api/ask", json={"question": QUESTION}, timeout=60).json()
    _age(store, asked["transcript_id"], 11)
    with live_server(create_app(settings, assistant=fake_assistant(settings), store=store)):
        pass
    assert store.get(asked["transcript_id"]) is None


def test_umask_does_not_matter_for_the_database_file(tmp_path: Path) -> None:
    previous = os.umask(0o000)
    try:
        store = TranscriptStore(f"sqlite:///{tmp_path / 'open' / 'vsh.sqlite3'}")
        store.migrate()
        store.engine.dispose()
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "open" / "vsh.sqlite3").stat().st_mode) == 0o600
