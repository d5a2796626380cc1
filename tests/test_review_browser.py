"""The review flow in headless Chromium (Playwright, executable_path), over real HTTP, with axe-core."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from _browser import CHROMIUM_ARGS, chromium_path, serious_violations
from _servers import LiveServer, live_server
from fakes import fake_assistant, write_question_set

from bots.web import create_app
from evals.review import mount_review
from evals.reviewers import add_reviewer
from evals.runner import run_eval
from settings import Settings
from storage import TranscriptStore

pytestmark = pytest.mark.browser

PASSWORD = "browser reviewer password"
STORES: dict[str, TranscriptStore] = {}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    folder = tmp_path_factory.mktemp("review-browser")
    subset = write_question_set(folder / "set.jsonl", ["fq-01", "fq-02", "fq-07"])
    settings = Settings(data_dir=folder, corpus_paths=[], rate_limit_per_minute=10_000)
    store = TranscriptStore(f"sqlite:///{folder / 'vsh.sqlite3'}")
    store.migrate()
    add_reviewer(store, "browser-lead", PASSWORD)
    assistant = fake_assistant(settings)
    run_id = run_eval(subset, settings, store=store, assistant=assistant, name="browser set")
    STORES[run_id] = store
    with live_server(create_app(settings, assistant=assistant, store=store, extensions=[mount_review])) as server:
        yield server, run_id


def test_review_flow_login_annotate_export_accessible(site: tuple[LiveServer, str], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    server, run_id = site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 375, "height": 740}, accept_downloads=True)
            page = context.new_page()
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            page.goto(f"{server.base_url}/review?run={run_id}")
            assert "/review/login" in page.url  # redirected to sign in
            assert serious_violations(page) == []
            page.get_by_label("Username").fill("browser-lead")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/review**")
            assert "/review/login" not in page.url
            page.goto(f"{server.base_url}/review?run={run_id}")
            assert serious_violations(page) == []
            styled = "getComputedStyle(document.querySelector('.filters')).display"
            assert page.evaluate(styled) == "flex"  # the review stylesheet loaded under the CSP
            page.locator("a.row-link").first.click()
            page.wait_for_url("**/review/transcripts/**")
            transcript_id = page.url.rstrip("/").split("/")[-1].split("?")[0]
            assert page.get_by_role("heading", name="Transcript").is_visible()
            assert page.locator("a[href^='/sources/']").count() >= 1
            assert serious_violations(page) == []
            no_scroll = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            assert page.evaluate(no_scroll), "the transcript page scrolls sideways at phone width"
            page.get_by_label("Wrong").check()
            page.get_by_label("Comment (optional)").fill("quotes the wrong paragraph")
            page.get_by_role("button", name="Save and next").click()
            page.wait_for_url("**saved=1")
            assert page.get_by_role("status").inner_text().startswith("Your verdict was saved")
            assert transcript_id not in page.url  # the next transcript
            assert serious_violations(page) == []
            page.goto(f"{server.base_url}/review/transcripts/{transcript_id}")
            assert "quotes the wrong paragraph" in page.content()
            page.goto(f"{server.base_url}/review?run={run_id}")
            with page.expect_download() as info:
                page.get_by_role("link", name="Export these transcripts to CSV").click()
            target = tmp_path / "export.csv"
            info.value.save_as(target)
            rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
            assert console == [], console  # no Content-Security-Policy violation, nothing missing
            [row] = [r for r in rows if r["transcript_id"] == transcript_id]
            assert row["verdict"] == "wrong" and row["comment"] == "quotes the wrong paragraph"
            context.close()
        finally:
            browser.close()


def test_eval_report_reads_on_a_phone(site: tuple[LiveServer, str], tmp_path: Path) -> None:
    """The HTML report: no sideways scroll at 375 px, summary and chart first, questions collapsed, axe-clean."""
    from playwright.sync_api import sync_playwright

    from evals.report import write_report
    from evals.results import get_run

    _server, run_id = site
    store = STORES[run_id]
    run = get_run(store, run_id)
    assert run is not None
    html = write_report(store, run, tmp_path / "reports")["html"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 375, "height": 740}).new_page()
            page.goto(html.as_uri())
            no_scroll = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            assert page.evaluate(no_scroll), "the report scrolls sideways at phone width"
            headings = page.locator("h2").all_inner_texts()
            assert headings[0] == "Summary" and headings[1].startswith("Across runs")
            assert headings[2].startswith("Questions that got worse")
            assert page.locator("svg.chart circle").count() >= 4  # one run: its points, labelled
            assert page.locator("details[open]").count() == 0 and page.locator("details").count() == 3
            assert serious_violations(page) == []
        finally:
            browser.close()


def test_a_comment_survives_a_reload_and_a_session_that_ended_mid_typing(site: tuple[LiveServer, str]) -> None:
    """A reviewer types a note; the page is reloaded, then the session ends (8 hours passed, or a sign-out on
    another device) before "Save and next": signing in again brings them back to the transcript, not to an
    error page, with their verdict and note still there; once saved, the note is not offered again."""
    from playwright.sync_api import sync_playwright

    from evals.reviewers import end_sessions

    server, run_id = site
    store = STORES[run_id]
    note = "the second citation is about adopted children, not looked-after ones"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
            console: list[str] = []
            page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
            page.goto(f"{server.base_url}/review/login")
            page.get_by_label("Username").fill("browser-lead")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url("**/review")
            page.goto(f"{server.base_url}/review?run={run_id}")
            page.locator("a.row-link").last.click()
            page.wait_for_url("**/review/transcripts/**")
            transcript_url = page.url
            page.keyboard.press("2")  # partly correct
            page.get_by_label("Comment (optional)").fill(note)
            page.reload()
            assert page.get_by_label("Comment (optional)").input_value() == note
            assert page.get_by_label("Partly correct").is_checked()
            end_sessions(store, "browser-lead")  # the session ends while the reviewer is still typing
            page.get_by_label("Comment (optional)").press("End")
            page.keyboard.type(" (para 12)")
            page.get_by_role("button", name="Save and next").click()
            page.wait_for_url("**/review/login**")
            page.get_by_label("Username").fill("browser-lead")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
            assert page.url == transcript_url, page.url  # back on the transcript, not a 405 page
            assert page.get_by_label("Comment (optional)").input_value() == note + " (para 12)"
            assert page.get_by_label("Partly correct").is_checked()
            page.get_by_role("button", name="Save and next").click()
            page.wait_for_url("**done=1**")
            page.goto(transcript_url)
            assert note + " (para 12)" in page.locator(".expected").inner_text()  # saved, listed under Reviews
            assert page.get_by_label("Comment (optional)").input_value() == ""  # and not offered again
            assert console == [], console
        finally:
            browser.close()
