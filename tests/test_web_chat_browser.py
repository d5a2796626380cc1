"""The web chat as its users use it, in headless Chromium (Playwright) at desktop width and on a 390 px phone,
over real HTTP with the real corpus index: the conversation kept through reload and Back, history, new
conversation, citation chips previewed by keyboard, the copy button, one-click feedback, the safeguarding
notice styled as a warning, a decline, the "What I can answer from" panel, axe-core clean.

Screenshots of the chat, a decline and a safeguarding answer go to `reports/screenshots/` (git-ignored).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from _browser import serious_violations
from _servers import LiveServer, live_server, served_web_app, shared_assistant

from bots.coverage import load_coverage
from bots.web import create_app
from settings import REPO_ROOT, Settings
from storage import TranscriptStore

pytestmark = pytest.mark.browser

SHOTS = REPO_ROOT / "reports" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
STARTER = "How should Pupil Premium Plus funding be managed?"
REFERRAL = "how do I make a referral to social care for a child I'm worried about?"
DECLINED = "What is the best recipe for a chocolate cake?"
FOCUSED = (  # its lead quotes the sentences that introduce the one that answers
    "Parents say their daughter was adopted from care but they can't give us any paperwork. "
    "What should the designated teacher do about eligibility?"
)


@pytest.fixture(scope="module")
def site(corpus_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Any]]:
    with served_web_app(corpus_settings, tmp_path_factory.mktemp("chat")) as served:
        yield served


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, site: tuple[LiveServer, Any], browser: Any) -> Iterator[Any]:
    server, _ = site
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.base_url)
    pg = context.new_page()
    pg.errors = []  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))  # type: ignore[attr-defined]
    pg.viewport_name = request.param  # type: ignore[attr-defined]
    yield pg
    assert pg.errors == []  # type: ignore[attr-defined]
    context.close()


def shot(page: Any, name: str, selector: str = ".exchange:last-of-type") -> None:
    """What the user sees with `selector` scrolled to the top (the question box stays at the bottom)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.evaluate("s => document.querySelector(s).scrollIntoView({block: 'start'})", selector)
    page.screenshot(path=str(SHOTS / f"{name}-{page.viewport_name}.png"))


def in_viewport(page: Any, selector: str) -> bool:
    return bool(
        page.evaluate(
            "s => { const r = document.querySelector(s).getBoundingClientRect();"
            " return r.top >= 0 && r.bottom <= window.innerHeight && r.height > 0; }",
            selector,
        )
    )


def wait_done(page: Any, n: int) -> Any:
    page.wait_for_selector(f".exchange:nth-of-type({n})[data-done='true']", timeout=90_000)
    return page.locator(".exchange").nth(n - 1)


def ask(page: Any, question: str, n: int) -> Any:
    page.get_by_label("Your question").fill(question)
    page.get_by_label("Your question").press("Enter")
    return wait_done(page, n)


def ask_first(site: tuple[LiveServer, Any], page: Any, question: str) -> Any:
    """Open the chat and ask its first question; the finished exchange."""
    server, _ = site
    page.goto(server.base_url + "/")
    return ask(page, question, 1)


def test_the_conversation_survives_reload_back_and_new_conversation(site: tuple[LiveServer, Any], page: Any) -> None:
    server, store = site
    page.goto(server.base_url + "/")
    assert in_viewport(page, "#question"), "the question box must be reachable without scrolling"

    # tapping a suggested question scrolls to its answer
    page.get_by_role("button", name=STARTER).click()
    assert in_viewport(page, "#asked-1")
    first = wait_done(page, 1)
    assert "?c=" in page.url
    link = page.url
    text = first.locator(".answer").inner_text()
    assert first.locator(".answer .chip").count() >= 1 and "[1]" not in text
    assert first.locator(".legend").count() == 1 and "How to read this" not in text  # the legend once, apart
    assert first.locator(".evidence").count() == 1 and "Evidence" not in text  # how sure, once, apart
    note = first.locator(".evidence").inner_text()
    assert note.startswith("Evidence: ")
    assert page.evaluate(
        "(ex => !!(ex.querySelector('.evidence').compareDocumentPosition(ex.querySelector('.citations'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING))(document.querySelector('.exchange'))"
    ), "the evidence line comes before the sources"

    # the chip's preview by keyboard: Tab to it, the quote shows and describes it; Escape hides it
    page.locator("#asked-1").focus()
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('chip')"):
            break
    chip = page.locator(".chip:focus")
    assert chip.count() == 1
    tip = page.locator(f"#{chip.get_attribute('aria-describedby')}")
    assert tip.is_visible() and tip.get_attribute("role") == "tooltip"
    assert "“" in tip.inner_text() and "para" in tip.inner_text()
    assert serious_violations(page) == []
    page.keyboard.press("Escape")
    assert not tip.is_visible()

    # copy: the answer and its sources, with links that open from anywhere
    first.get_by_role("button", name="Copy answer").click()
    page.wait_for_selector("text=Answer and sources copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert text.split("\n")[0].strip()[:30] in copied
    assert "Sources:\n[1] " in copied and f"{server.base_url}/sources/" in copied and "https://www.gov.uk/" in copied
    assert note in copied

    # one click is one row; the comment updates it
    first.get_by_role("button", name="Helpful", exact=True).click()
    page.wait_for_selector("text=your feedback was recorded")
    [t] = [t for t in store.list_transcripts() if t.id == first_transcript(page)]
    assert [(f.helpful, f.comment) for f in store.feedback_for(t.id)] == [(True, None)]
    first.get_by_label("Comment (optional, no personal details)").fill("Clear")
    first.get_by_role("button", name="Send comment").click()
    page.wait_for_selector("text=your comment was added")
    assert [(f.helpful, f.comment) for f in store.feedback_for(t.id)] == [(True, "Clear")]

    # a follow-up, then reload: both answers are still there, feedback state too
    ask(page, "And what about previously looked-after children?", 2)
    page.reload()
    wait_done(page, 2)
    assert page.locator(".exchange").count() == 2 and page.url == link
    assert page.locator(".exchange").first.locator(".answer").inner_text() == text
    assert page.locator(".exchange").first.locator(".evidence").inner_text() == note  # restored too
    assert (
        page.locator(".exchange").first.get_by_role("button", name="Helpful", exact=True).get_attribute("aria-pressed")
        == "true"
    )

    # open a source, then Back: the conversation is shown again
    page.locator(".exchange").first.locator(".citations a").first.click()
    page.wait_for_load_state("load")
    assert "/sources/" in page.url
    back = page.get_by_role("link", name="Back to the chat")
    assert back.get_attribute("href") == link.removeprefix(server.base_url)  # to this conversation, not an empty chat
    page.go_back()
    wait_done(page, 2)
    assert page.locator(".exchange").count() == 2 and page.url == link

    # history on this device, and a new conversation (Back returns to the earlier one)
    page.locator("#history summary").click()
    assert page.locator("#history-list a", has_text=STARTER).count() == 1
    page.get_by_role("button", name="New conversation").click()
    assert page.locator(".exchange").count() == 0 and "?c=" not in page.url
    page.go_back()
    wait_done(page, 2)
    assert page.url == link
    page.goto(link)  # the link restores it too
    wait_done(page, 2)

    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    shot(page, "chat", ".exchange")


def first_transcript(page: Any) -> str:
    return str(
        page.evaluate("JSON.parse(localStorage.getItem('vsh-conversations'))[0].exchanges[0].done.transcript_id")
    )


def test_safeguarding_notice_is_a_warning_shown_once_and_a_decline_links_its_sections(
    site: tuple[LiveServer, Any], page: Any
) -> None:
    ex = ask_first(site, page, REFERRAL)
    notice = ex.locator(".safeguarding")
    assert notice.count() == 1 and notice.is_visible()
    assert "call 999" in notice.inner_text() and "call 999" not in ex.locator(".answer").inner_text()
    style = notice.evaluate(
        "e => { const s = getComputedStyle(e); return [s.borderLeftColor, s.borderLeftWidth, s.backgroundColor]; }"
    )
    assert style == ["rgb(177, 14, 30)", "8px", "rgb(253, 240, 241)"]
    assert serious_violations(page) == []
    shot(page, "safeguarding")

    page.get_by_role("button", name="New conversation").click()
    ex = ask(page, DECLINED, 1)
    assert "could not find" in ex.locator(".answer").inner_text().lower()
    closest = ex.locator(".closest a")
    assert closest.count() >= 1 and closest.first.get_attribute("href").startswith("/sources/")
    shown = ex.locator(".answer").inner_text()
    assert closest.first.inner_text() not in shown  # the closest sections are links, not repeated in the text
    assert serious_violations(page) == []
    shot(page, "decline")


def test_what_i_can_answer_from(site: tuple[LiveServer, Any], page: Any, corpus_settings: Settings) -> None:
    server, _ = site
    page.goto(server.base_url + "/")
    page.get_by_text("What I can answer from").click()
    panel = page.locator("#coverage")
    expected = load_coverage(
        shared_assistant(corpus_settings).index.documents(),
        corpus_settings.sources_manifest,
        corpus_settings.govuk_base_url,
    )
    assert panel.locator(".held li").count() == len(expected.held) > 0
    assert expected.not_held, "the corpus lacks some well-known VSH documents of the sources manifest"
    for missing in expected.not_held:
        link = panel.locator(".not-held a", has_text=missing.title)
        assert link.count() == 1 and link.get_attribute("href") == missing.url
    assert "I do not hold these well-known VSH documents" in panel.inner_text()
    assert serious_violations(page) == []


LISTED = "What should a setting up home allowance policy consider?"


def test_a_quoted_list_shows_one_item_a_line_after_its_lead_in(site: tuple[LiveServer, Any], page: Any) -> None:
    ex = ask_first(site, page, LISTED)
    lead = ex.locator(".answer p", has_text="allowance policy should consider:")
    assert lead.count() == 1 and "television" not in lead.inner_text()  # the lead-in first, on its own
    items = ex.locator(".answer li:not(:has(li))")
    texts = [items.nth(i).inner_text().strip() for i in range(items.count())]
    listed = [t for t in texts if t.startswith("• ")]  # the marker kept, so the text is still the quote
    assert len(listed) >= 5, texts
    assert any("The provision of the first television licen" in t for t in listed)
    tops = [items.nth(i).bounding_box()["y"] for i in range(items.count()) if texts[i].startswith("• ")]
    assert tops == sorted(tops) and len(set(tops)) == len(tops)  # one item a line, below the lead-in
    assert lead.bounding_box()["y"] < tops[0]
    last = items.nth(max(i for i, t in enumerate(texts) if t.startswith("• ")))
    assert last.locator(".chip[data-n='1']").count() == 1  # the citation still ends the point
    selected = page.evaluate(
        "([a, b]) => { const r = document.createRange(); r.setStartBefore(a); r.setEndAfter(b);"
        " const s = getSelection(); s.removeAllRanges(); s.addRange(r); return s.toString(); }",
        [lead.element_handle(), last.element_handle()],
    )
    assert "should consider:" in selected and "\n• The provision of the first household" in selected
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    shot(page, "quoted-list")


def test_the_answering_sentence_is_highlighted_where_the_lead_does_not_start_with_it(
    site: tuple[LiveServer, Any], page: Any
) -> None:
    ex = ask_first(site, page, FOCUSED)
    marks = ex.locator(".answer mark.focus")
    assert marks.count() >= 1
    first = marks.first.inner_text().strip()
    lead = ex.locator(".answer p:not(.lead-source)").first.inner_text()
    assert first in lead and not lead.startswith(first)  # inside the lead, after the sentences before it
    assert first.startswith("Designated teachers will want to satisfy themselves")
    assert ex.locator(".answer .lead-source mark").count() == 0  # never in the source line
    assert serious_violations(page) == []
    shot(page, "focus-marked")


def test_a_typed_question_brings_its_answer_into_view_and_keeps_focus(site: tuple[LiveServer, Any], page: Any) -> None:
    ask_first(site, page, "What should a personal education plan include?")
    assert in_viewport(page, "#asked-1"), "the answer to a typed question is off screen"
    ask(page, "How long is a PEP reviewed for?", 2)
    assert in_viewport(page, "#asked-2")
    assert page.evaluate("document.activeElement.id") == "question"  # ready for the next question


def tap_preview(page: Any, chip: Any) -> Any:
    """Tap `chip`: its preview (the quoted passage) opens; returns the preview's box on the screen."""
    chip.click()
    tip = page.locator(f"#{chip.get_attribute('aria-describedby')}")
    assert tip.is_visible() and "“" in tip.inner_text()
    return tip.bounding_box()


def on_screen(page: Any, box: Any) -> bool:
    width, height = page.evaluate("[document.documentElement.clientWidth, window.innerHeight]")
    return bool(
        box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width and box["y"] + box["height"] <= height
    )


def test_a_quote_preview_stays_on_the_screen_by_the_right_edge_and_at_the_bottom(
    site: tuple[LiveServer, Any], page: Any
) -> None:
    ex = ask_first(site, page, STARTER)
    chips = ex.locator(".answer .chip")
    xs = [chips.nth(i).bounding_box()["x"] for i in range(chips.count())]
    assert len(xs) >= 2 and max(xs) > page.viewport_size["width"] / 2, xs  # one chip in the right half at least
    for i in range(len(xs)):  # wherever the chip is in its line, its preview is on the screen
        box = tap_preview(page, chips.nth(i))
        assert on_screen(page, box), (i, xs[i], box)
        page.keyboard.press("Escape")

    # the chip furthest right, just above the question box at the bottom of the screen
    right = chips.nth(xs.index(max(xs)))
    chip = right.bounding_box()
    page.evaluate(
        "dy => window.scrollBy(0, dy)", chip["y"] + chip["height"] - page.locator("#ask-form").bounding_box()["y"] + 4
    )
    chip, form = right.bounding_box(), page.locator("#ask-form").bounding_box()
    assert form["y"] - 40 < chip["y"] + chip["height"] <= form["y"], (chip, form)
    box = tap_preview(page, right)
    assert on_screen(page, box), box
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"preview-at-the-bottom-{page.viewport_name}.png"))
    page.mouse.click(2, 2)  # a tap elsewhere closes it
    assert not page.locator(".preview:visible").count()


class HeldAssistant:
    """The session's real assistant, except that an answer is not worked out while `go` is clear: the test
    holds the first answer's stream open (its status sent) and lets it go when it is ready."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.go = threading.Event()
        self.go.set()
        self.asked: list[str] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def ask(self, question: str, *args: Any, **kwargs: Any) -> Any:
        self.asked.append(question)
        assert self.go.wait(60), "the test never let the answer go"
        return self.inner.ask(question, *args, **kwargs)


@pytest.fixture(scope="module")
def held_site(
    corpus_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, HeldAssistant]]:
    held = HeldAssistant(shared_assistant(corpus_settings))
    store = TranscriptStore(f"sqlite:///{tmp_path_factory.mktemp('held') / 'vsh.sqlite3'}")
    with live_server(create_app(corpus_settings, assistant=held, store=store, answer_cache_size=0)) as server:  # type: ignore[arg-type]
        yield server, held
    store.close()


FIRST = "What should a personal education plan include?"
SECOND = "Who is responsible for setting up home allowances?"


def test_a_question_sent_while_an_answer_streams_is_asked_next(
    held_site: tuple[LiveServer, HeldAssistant], page: Any
) -> None:
    server, held = held_site
    page.goto(server.base_url + "/")
    held.asked.clear()
    held.go.clear()
    try:
        box = page.get_by_label("Your question")
        box.fill(FIRST)
        box.press("Enter")
        page.wait_for_selector("#status:has-text('Searching the guidance')")  # the first answer is streaming
        deadline = time.monotonic() + 30
        while held.asked != [FIRST] and time.monotonic() < deadline:  # and held on the server
            time.sleep(0.05)
        box.fill(SECOND)
        box.press("Enter")
        exchanges = page.locator(".exchange")
        assert exchanges.count() == 2, "the question sent while an answer was streaming was lost"
        assert box.input_value() == "" and page.get_by_role("button", name="Ask", exact=True).is_enabled()
        assert "Waiting" in exchanges.nth(1).locator(".answer").inner_text()
        assert held.asked == [FIRST]  # it waits its turn: not sent while the first answer is coming
    finally:
        held.go.set()
    wait_done(page, 1)
    second = wait_done(page, 2)
    assert held.asked == [FIRST, SECOND]
    assert [exchanges.nth(i).locator(".asked").inner_text() for i in (0, 1)] == [
        f"You asked: {FIRST}",
        f"You asked: {SECOND}",
    ]
    answers = [exchanges.nth(i).locator(".answer").inner_text() for i in (0, 1)]
    assert "Waiting" not in answers[1] and answers[0] != answers[1]
    assert "personal education plan" in answers[0].lower() and "allowance" in answers[1].lower()
    assert all(exchanges.nth(i).locator(".citations li").count() >= 1 for i in (0, 1))  # each its own sources
    assert second.locator(".answer-tools").count() == 1 and exchanges.count() == 2
    kept = page.evaluate("JSON.parse(localStorage.getItem('vsh-conversations'))[0].exchanges.map(e => e.question)")
    assert kept == [FIRST, SECOND]  # one conversation, in order
    assert page.evaluate("document.activeElement.id") == "question"
    assert serious_violations(page) == []


def test_a_cut_off_answer_or_a_server_out_of_reach_is_said_plainly_and_the_question_kept(
    corpus_settings: Settings, tmp_path: Any, page: Any
) -> None:
    store = TranscriptStore(f"sqlite:///{tmp_path / 'vsh.sqlite3'}")
    server = LiveServer(create_app(corpus_settings, assistant=shared_assistant(corpus_settings), store=store)).start()
    try:
        page.goto(server.base_url + "/")
        box = page.get_by_label("Your question")

        def cut(route: Any) -> None:  # the real stream, ended after its first lines (as a proxy timing out does)
            body = route.fetch().text()
            route.fulfill(status=200, content_type="text/event-stream", body=body[: body.index("event: citations")])

        page.route("**/api/ask/stream", cut)
        box.fill(STARTER)
        box.press("Enter")
        first = page.locator(".exchange").first
        first.locator(".error").wait_for(timeout=90_000)
        assert "cut off before it was finished" in first.locator(".error").inner_text()
        assert first.get_attribute("data-done") is None and page.inner_text("#status") == ""  # not "Searching…"
        assert box.input_value() == STARTER  # to ask again without retyping it
        page.unroute("**/api/ask/stream")
    finally:
        server.stop()
        store.close()

    box.press("Enter")  # the server is gone now
    second = page.locator(".exchange").nth(1)
    second.locator(".error").wait_for(timeout=30_000)
    said = second.locator(".error").inner_text()
    assert "could not be reached" in said and "Failed to fetch" not in said, said
    assert box.input_value() == STARTER and page.inner_text("#status") == ""
    assert serious_violations(page) == []
