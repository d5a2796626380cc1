"""Test helpers owned by the web/db tests: a real uvicorn server on loopback, database URLs per backend."""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

__all__ = [
    "LiveServer",
    "live_server",
    "free_port",
    "database_url",
    "BACKENDS",
    "parse_sse",
    "shared_assistant",
    "served_web_app",
    "metric_value",
]

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """uvicorn serving `app` in a background thread on 127.0.0.1:<free port>."""

    def __init__(self, app: Any, port: int | None = None) -> None:
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            lifespan="on",
            timeout_keep_alive=30,
            limit_concurrency=1000,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name=f"uvicorn-{self.port}", daemon=True)

    def start(self, timeout: float = 60.0) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive():
                raise RuntimeError("uvicorn exited during startup")
            if time.monotonic() > deadline:
                raise TimeoutError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


@contextmanager
def live_server(app: Any) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


_PG_ENV = "VSH_TEST_POSTGRES_URL"


def postgres_base_url() -> str:
    """The PostgreSQL URL for tests; fails in CI when missing, skips locally."""
    url = os.environ.get(_PG_ENV, "").strip()
    if not url:
        if os.environ.get("CI"):
            pytest.fail(f"{_PG_ENV} is not set: CI must provide a PostgreSQL server (scripts/start-test-postgres.sh)")
        pytest.skip(f"PostgreSQL variant skipped: set {_PG_ENV} (scripts/start-test-postgres.sh prints one)")
    return url


@contextmanager
def database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'vsh.sqlite3'}"
        return
    from sqlalchemy import create_engine, text

    base = postgres_base_url()
    schema = f"vsh_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        admin.dispose()
        pytest.fail(f"PostgreSQL at {_PG_ENV} is not reachable: {type(exc).__name__}: {exc}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


_ASSISTANTS: dict[str, Any] = {}


def shared_assistant(settings: Any) -> Any:
    """One warmed Assistant per index for the whole test session (loading the model is the slow part)."""
    key = str(settings.data_dir)
    if key not in _ASSISTANTS:
        from assistant import Assistant

        a = Assistant(settings)
        a.warm()
        _ASSISTANTS[key] = a
    return _ASSISTANTS[key]


@contextmanager
def served_web_app(settings: Any, folder: Path) -> Iterator[tuple[LiveServer, Any]]:
    """The web app over the session's shared assistant for `settings`, with a fresh SQLite transcript store
    in `folder`, served on loopback: (server, store)."""
    from bots.web import create_app
    from storage import TranscriptStore

    store = TranscriptStore(f"sqlite:///{folder / 'vsh.sqlite3'}")
    with live_server(create_app(settings, assistant=shared_assistant(settings), store=store)) as server:
        yield server, store


def parse_sse(body: str) -> list[tuple[str, Any]]:
    """[(event, data)] of a text/event-stream body."""
    import json

    events = []
    for block in body.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


def metric_value(base_url: str, name: str, **labels: str) -> float:
    """The value of one sample of /metrics (0 when absent)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"{base_url}/metrics", timeout=10).text
    total = 0.0
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                total += s.value
    return total
