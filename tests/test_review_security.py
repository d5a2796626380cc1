"""The /review pages against a hostile user (issue 12): sessions revoked at logout and account removal, login
throttling, and a CSV export whose cells cannot run as spreadsheet formulas."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from _servers import LiveServer, live_server
from fakes import fake_assistant

from bots.web import create_app
from evals.export import csv_cell
from evals.review import mount_review
from evals.reviewers import add_reviewer, remove_reviewer
from settings import Settings
from storage import TranscriptStore

PASSWORD = "a long reviewer password"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[LiveServer, TranscriptStore]]:
    settings = Settings(data_dir=tmp_path, corpus_paths=[], rate_limit_per_minute=10_000, login_max_failures=3)
    store = TranscriptStore(f"sqlite:///{tmp_path / 'vsh.sqlite3'}")
    store.migrate()
    for name in ("alice", "bob", "carol"):
        add_reviewer(store, name, PASSWORD)
    app = create_app(settings, assistant=fake_assistant(settings), store=store, extensions=[mount_review])
    with live_server(app) as server:
        yield server, store
    store.engine.dispose()


def _login(base_url: str, user: str, password: str = PASSWORD) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=60)
    response = client.post("/review/login", data={"username": user, "password": password, "next": "/review"})
    assert response.status_code == 303, response.text
    return client


def _stolen(client: httpx.Client) -> dict[str, str]:
    return {"vsh_review": str(client.cookies.get("vsh_review"))}


def test_logout_revokes_the_cookie_at_once(site: tuple[LiveServer, TranscriptStore]) -> None:
    server, _ = site
    client = _login(server.base_url, "alice")
    page = client.get("/review")
    assert page.status_code == 200
    cookie = _stolen(client)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    assert client.post("/review/logout", data={"csrf": csrf.group(1)}).status_code == 303
    with httpx.Client(base_url=server.base_url, timeout=30) as thief:
        assert thief.get("/review", cookies=cookie).status_code == 303
        assert thief.get("/review/export.csv", cookies=cookie).status_code == 401
    again = _login(server.base_url, "alice")  # signing in again works
    assert again.get("/review").status_code == 200


def test_removing_an_account_revokes_its_cookies_at_once(site: tuple[LiveServer, TranscriptStore]) -> None:
    server, store = site
    client = _login(server.base_url, "bob")
    assert client.get("/review/export.csv").status_code == 200
    cookie = _stolen(client)
    remove_reviewer(store, "bob")  # what `vsh users remove bob` does
    with httpx.Client(base_url=server.base_url, timeout=30) as thief:
        assert thief.get("/review", cookies=cookie).status_code == 303
        assert thief.get("/review/export.csv", cookies=cookie).status_code == 401
    add_reviewer(store, "bob", PASSWORD + "!")  # restored with a new password: the old cookie stays dead
    with httpx.Client(base_url=server.base_url, timeout=30) as thief:
        assert thief.get("/review/export.csv", cookies=cookie).status_code == 401


def test_login_is_throttled_per_account_with_retry_after(site: tuple[LiveServer, TranscriptStore]) -> None:
    server, _ = site
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        for _ in range(3):
            wrong = client.post("/review/login", data={"username": "carol", "password": "not the password"})
            assert wrong.status_code == 401
        locked = client.post("/review/login", data={"username": "carol", "password": PASSWORD})
        assert locked.status_code == 429, "the right password must be refused while throttled"
        assert int(locked.headers["retry-after"]) > 0
        assert "Too many failed sign-ins" in locked.text
    _login(server.base_url, "alice")  # another account is not locked out


def test_login_is_throttled_per_client(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, corpus_paths=[], login_max_failures=100, login_max_failures_per_client=4)
    store = TranscriptStore(f"sqlite:///{tmp_path / 'vsh.sqlite3'}")
    store.migrate()
    add_reviewer(store, "dave", PASSWORD)
    app = create_app(settings, assistant=fake_assistant(settings), store=store, extensions=[mount_review])
    with live_server(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
        codes = [
            client.post("/review/login", data={"username": f"guess{i}", "password": "wrong password"}).status_code
            for i in range(6)
        ]
        assert codes == [401, 401, 401, 401, 429, 429]
        refused = client.post("/review/login", data={"username": "dave", "password": PASSWORD})
        assert refused.status_code == 429 and "retry-after" in refused.headers
    store.engine.dispose()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_cells_are_neutralised(start: str) -> None:
    assert csv_cell(f'{start}HYPERLINK("http://x")') == f'\'{start}HYPERLINK("http://x")'
    assert csv_cell("What does the VSH do?") == "What does the VSH do?"
    assert csv_cell(3) == 3


def test_export_of_a_formula_question_is_text(site: tuple[LiveServer, TranscriptStore]) -> None:
    server, _ = site
    questions = ['=HYPERLINK("http://evil.example","Who is the VSH?")', "+1+2 pupil premium", "@SUM(1) PEP"]
    with httpx.Client(base_url=server.base_url, timeout=60) as web:
        for question in questions:
            assert web.post("/api/ask", json={"question": question}).status_code == 200
    client = _login(server.base_url, "alice")
    export = client.get("/review/export.csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    exported = {row["question"] for row in rows}
    assert exported, export.text
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    assert any(q.startswith("'=HYPERLINK") for q in exported)
