"""The chat page and the source viewer in headless Chromium (Playwright), served over real HTTP, with axe-core."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from _browser import serious_violations
from _servers import LiveServer, served_web_app

from settings import Settings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(corpus_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Any]]:
    with served_web_app(corpus_settings, tmp_path_factory.mktemp("browser")) as served:
        yield served


def no_horizontal_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_chat_stream_citation_source_viewer_and_accessibility(site: tuple[LiveServer, Any], browser: Any) -> None:
    server, store = site
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server.base_url + "/")
    assert page.get_by_label("Your question").is_visible()
    assert "This is guidance, not legal advice" in page.inner_text("body")
    assert serious_violations(page) == []

    # keyboard: the first Tab lands on the skip link, which moves focus to main
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # a starter question: the answer streams into the live region with numbered citations
    page.get_by_role("button", name="Which children is the Virtual School Head responsible for?").click()
    page.wait_for_selector(".exchange[data-done='true']", timeout=60_000)
    answer = page.inner_text(".exchange .answer")
    assert len(answer) > 40 and page.locator(".exchange .answer .chip").count() >= 1
    assert page.locator("#conversation[aria-live='polite'] .exchange").count() == 1
    cites = page.locator(".citations li")
    assert cites.count() >= 1
    assert cites.first.locator(".badge").inner_text().strip()
    assert cites.first.locator("a").get_attribute("href").startswith("/sources/")

    # a typed follow-up in the same conversation
    page.get_by_label("Your question").fill("And what about previously looked-after children?")
    page.get_by_label("Your question").press("Enter")
    page.wait_for_selector(".exchange:nth-of-type(2)[data-done='true']", timeout=60_000)

    # feedback
    first = page.locator(".exchange").first
    first.get_by_role("button", name="Helpful", exact=True).click()
    page.wait_for_selector("text=your feedback was recorded", timeout=10_000)
    first.get_by_label("Comment (optional, no personal details)").fill("Clear and quick")
    first.get_by_role("button", name="Send comment").click()
    page.wait_for_selector("text=your comment was added", timeout=10_000)
    [t] = [t for t in store.list_transcripts() if t.question.startswith("Which children")]
    assert [(f.helpful, f.comment) for f in store.feedback_for(t.id)] == [(True, "Clear and quick")]

    assert serious_violations(page) == []

    # phone width: no horizontal scroll on the chat page with answers shown
    page.set_viewport_size({"width": 375, "height": 740})
    assert no_horizontal_scroll(page)
    page.set_viewport_size({"width": 320, "height": 640})
    assert no_horizontal_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # open the first citation: the source viewer highlights the cited passage and scrolls to it
    href = cites.first.locator("a").get_attribute("href")
    cites.first.locator("a").click()
    page.wait_for_load_state("load")
    assert "/sources/" in page.url
    passage_id = href.split("passage=")[1].split("#")[0]
    highlighted = page.locator(".passage.highlight")
    assert highlighted.count() == 1
    assert highlighted.get_attribute("id") == "passage-" + passage_id.replace(":", "-")
    assert highlighted.get_attribute("aria-current") == "true"
    assert highlighted.locator("mark").count() >= 1
    fragment = href.split("#")[1]
    target = page.locator(f"[id='{fragment}']")
    assert target.count() == 1
    assert page.evaluate(
        "id => { const r = document.getElementById(id).getBoundingClientRect();"
        " return r.bottom > 0 && r.top < window.innerHeight; }",
        fragment,
    ), "the cited paragraph is not scrolled into view"
    assert page.locator("h1").inner_text().strip()
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 740})
    assert no_horizontal_scroll(page)
    assert errors == []
    context.close()


def test_decline_and_unknown_document_pages(site: tuple[LiveServer, Any], browser: Any) -> None:
    server, _ = site
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(server.base_url + "/")
    page.get_by_label("Your question").fill("What is the best recipe for a chocolate cake?")
    page.get_by_role("button", name="Ask", exact=True).click()
    page.wait_for_selector(".exchange[data-done='true']", timeout=60_000)
    assert "could not find" in page.inner_text(".exchange .answer").lower()
    assert no_horizontal_scroll(page)
    # an empty question is refused in the page, with the error tied to the box
    page.get_by_role("button", name="Ask", exact=True).click()
    assert page.locator("#question-error").is_visible()
    assert page.get_by_label("Your question").get_attribute("aria-invalid") == "true"
    assert serious_violations(page) == []
    response = page.goto(server.base_url + "/sources/not-a-document")
    assert response is not None and response.status == 404
    assert "Not found" in page.inner_text("h1")
    assert serious_violations(page) == []
    context.close()
