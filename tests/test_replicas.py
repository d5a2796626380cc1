"""Replicas: two `vsh serve` processes sharing one PostgreSQL database and one index directory.

Both are real processes serving real HTTP on loopback, over an index of real guidance documents. The test
loads both at once, delivers one Slack event to both (answered once), checks that neither imported torch
nor wrote into the index directory, then re-ingests and waits for both to swap the new snapshot in.
Also, in one process: a re-ingest is swapped in without a restart, and answers are not served from the
answer cache of the old index.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from _servers import database_url, free_port, live_server, metric_value
from conftest import ANNOUNCEMENTS, DESIGNATED_TEACHER_PDF
from fake_slack import BOT_USER, TEAM, fake_slack, signed_headers

from bots.web import create_app
from evals.benchmark.loadgen import run_load
from index import ingest_paths
from settings import REPO_ROOT, Settings
from storage import TranscriptStore

SECRET = "replica-signing-secret-0123456789"
QUESTIONS = [
    "What is the role of the designated teacher?",
    "Who should the designated teacher work with to support looked-after children?",
    "What training should a designated teacher have?",
    "How does the designated teacher help with the personal education plan?",
]


def _library(tmp_path: Path, corpus: Path, *, guidance: bool = True) -> tuple[Path, list[Path]]:
    """A corpus folder holding the designated teacher guidance (with `guidance`) and one announcement; the
    other announcements are added later (the re-ingest)."""
    folder = tmp_path / "library"
    folder.mkdir()
    if guidance:
        shutil.copy(DESIGNATED_TEACHER_PDF, folder / DESIGNATED_TEACHER_PDF.name)
    announcements = sorted(ANNOUNCEMENTS.glob("*.txt"))
    shutil.copy(announcements[0], folder / announcements[0].name)
    return folder, announcements[1:]


def _tree(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


class Replica:
    """`vsh serve` in a child process on a free loopback port."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "vsh", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=REPO_ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 180.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "vsh serve exited during start-up"
            try:
                r = httpx.get(f"{self.base_url}/healthz", timeout=5)
                if r.status_code == 200:
                    return dict(r.json())
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"vsh serve on {self.port} did not become healthy")

    def health(self) -> dict[str, Any]:
        return dict(httpx.get(f"{self.base_url}/healthz", timeout=10).json())

    def libraries(self) -> str:
        return Path(f"/proc/{self.process.pid}/maps").read_text()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def replicas_env(tmp_path: Path, corpus: Path) -> Iterator[tuple[dict[str, str], Path, list[Path], str]]:
    folder, later = _library(tmp_path, corpus)
    data_dir = tmp_path / "data"
    report = ingest_paths([folder], Settings(data_dir=data_dir))
    assert report.ok and report.embedded_units > report.embedded_passages > 50
    with database_url("postgres", tmp_path) as url:
        TranscriptStore(url).migrate()
        yield (
            {
                **os.environ,
                "VSH_DATA_DIR": str(data_dir),
                "VSH_DATABASE_URL": url,
                "VSH_INDEX_RELOAD_S": "0.5",
                "VSH_RATE_LIMIT_PER_MINUTE": "100000",
                "VSH_SLACK_SIGNING_SECRET": SECRET,
                "VSH_SLACK_BOT_TOKEN": "xoxb-replica-test",
                "VSH_PUBLIC_BASE_URL": "https://vsh.example",
            },
            folder,
            later,
            url,
        )


def _slack_event(event_id: str, ts: str) -> bytes:
    event = {
        "type": "app_mention",
        "user": "U0HUMAN01",
        "text": f"<@{BOT_USER}> {QUESTIONS[0]}",
        "ts": ts,
        "channel": "C0REPLICA",
        "event_ts": ts,
    }
    payload = {
        "token": "legacy",
        "team_id": TEAM,
        "api_app_id": "A0TEST",
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "event": event,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }
    return json.dumps(payload).encode()


@pytest.mark.postgres
@pytest.mark.load
def test_two_replicas_share_one_database_and_one_index(
    replicas_env: tuple[dict[str, str], Path, list[Path], str], tmp_path: Path
) -> None:
    env, folder, later, url = replicas_env
    data_dir = Path(env["VSH_DATA_DIR"])
    before = _tree(data_dir)
    with fake_slack() as fake:
        env = {**env, "VSH_SLACK_API_URL": fake.url}
        replicas = [Replica(env, tmp_path / f"replica-{i}.log") for i in range(2)]
        try:
            versions = {r.wait_ready()["index"]["version"] for r in replicas}
            assert len(versions) == 1 and "" not in versions

            # both under load at once: every request answered, none failed
            results: dict[int, dict[str, Any]] = {}

            def load(i: int) -> None:
                results[i] = run_load(replicas[i].base_url, QUESTIONS, 60, 8, timeout_s=300)

            threads = [threading.Thread(target=load, args=(i,)) for i in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=330)
            for i in range(2):
                assert results[i]["errors"] == 0 and results[i]["ok"] == 60, results[i]
            store = TranscriptStore(url)
            assert store.count(channel="web") == 120

            # one Slack event delivered to both replicas (and retried): answered once
            body = _slack_event(f"Ev{uuid.uuid4().hex[:10].upper()}", "1700000123.000100")
            statuses: list[int] = []

            def deliver(replica: Replica, retry: bool) -> None:
                headers = signed_headers(SECRET, body, "application/json")
                if retry:
                    headers.update({"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
                statuses.append(
                    httpx.post(f"{replica.base_url}/slack/events", content=body, headers=headers).status_code
                )

            senders = [threading.Thread(target=deliver, args=(r, False)) for r in replicas]
            senders.append(threading.Thread(target=deliver, args=(replicas[1], True)))
            for t in senders:
                t.start()
            for t in senders:
                t.join(timeout=60)
            assert statuses == [200, 200, 200]
            fake.wait_for(lambda f: len(f.replies()) >= 1, timeout=120)
            time.sleep(3)
            assert len(fake.replies()) == 1 and len(fake.of("chat.postMessage")) == 1
            assert store.count(channel="slack") == 1

            for replica in replicas:  # neither loaded torch; neither wrote into the index directory
                assert "libtorch" not in replica.libraries()
            assert _tree(data_dir) == before

            # a re-ingest (another process) is swapped in by both, without a restart
            shutil.copy(later[0], folder / later[0].name)
            report = ingest_paths([folder], Settings(data_dir=data_dir))
            assert report.ok and report.version and report.reused_passages > 50
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if all(r.health()["index"]["version"] == report.version for r in replicas):
                    break
                time.sleep(0.3)
            for replica in replicas:
                health = replica.health()
                assert health["index"]["version"] == report.version and health["index"]["documents"] == 3
                answered = httpx.post(f"{replica.base_url}/api/ask", json={"question": QUESTIONS[1]}, timeout=60)
                assert answered.status_code == 200 and answered.json()["answer"]["citations"]
            store.engine.dispose()
        finally:
            for replica in replicas:
                replica.stop()


def test_a_reingest_is_swapped_in_without_a_restart(tmp_path: Path, corpus: Path) -> None:
    folder, later = _library(tmp_path, corpus, guidance=False)
    settings = Settings(data_dir=tmp_path / "data", index_reload_s=0.2, rate_limit_per_minute=100000)
    assert ingest_paths([folder], settings).ok
    store = TranscriptStore(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    app = create_app(settings, store=store)
    with live_server(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
        first = client.get("/healthz").json()["index"]
        asked = client.post("/api/ask", json={"question": QUESTIONS[0]})
        assert first["documents"] == 1 and asked.status_code == 200
        shutil.copy(later[0], folder / later[0].name)
        report = ingest_paths([folder], settings)
        assert report.version and report.version != first["version"]
        deadline = time.monotonic() + 30
        while client.get("/healthz").json()["index"]["version"] != report.version and time.monotonic() < deadline:
            time.sleep(0.1)
        assert client.get("/healthz").json()["index"] == {**first, "version": report.version, "documents": 2}
        hits = metric_value(server.base_url, "vsh_answer_cache_hits_total")
        assert client.post("/api/ask", json={"question": QUESTIONS[0]}).status_code == 200
        assert metric_value(server.base_url, "vsh_answer_cache_hits_total") == hits  # not the old index's answer
        assert client.post("/api/ask", json={"question": QUESTIONS[0]}).status_code == 200
        assert metric_value(server.base_url, "vsh_answer_cache_hits_total") == hits + 1  # the new one is cached
    store.engine.dispose()
