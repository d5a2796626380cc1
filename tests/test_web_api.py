"""The web API over real HTTP on loopback: the real app and assistant over the fake retriever (`fakes.py`), a
real database (a SQLite file, and PostgreSQL when VSH_TEST_POSTGRES_URL is set); one end-to-end test on the
real corpus index."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from _servers import BACKENDS, LiveServer, database_url, live_server, metric_value, parse_sse, shared_assistant
from fakes import FAKE_DOCUMENTS, fake_assistant
from sqlalchemy import create_engine

from assistant import Answer
from bots.present import answer_view, evidence_note
from bots.web import create_app
from settings import Settings
from storage import TranscriptStore

QUESTION = "Which children is the Virtual School Head responsible for?"
OUT_OF_SCOPE = "What is the best recipe for a chocolate cake?"


@dataclass
class Live:
    server: LiveServer
    store: TranscriptStore
    settings: Settings
    client: httpx.Client

    @property
    def url(self) -> str:
        return self.server.base_url


@contextmanager
def running(settings: Settings, store: TranscriptStore, *, real: bool = False, **kw: Any) -> Iterator[Live]:
    assistant = shared_assistant(settings) if real else fake_assistant(settings)
    app = create_app(settings, assistant=assistant, store=store, **kw)
    with live_server(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
        yield Live(server, store, settings, client)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[TranscriptStore]:
    with database_url(backend, tmp_path) as url:
        s = TranscriptStore(url)
        yield s
        s.engine.dispose()


@pytest.fixture
def live(fake_settings: Settings, store: TranscriptStore) -> Iterator[Live]:
    with running(fake_settings, store) as lv:
        yield lv


def _ask(live: Live, question: str = QUESTION, **extra: Any) -> dict[str, Any]:
    r = live.client.post("/api/ask", json={"question": question, **extra})
    assert r.status_code == 200, r.text
    return dict(r.json())


# --- asking -------------------------------------------------------------------------------------


def test_ask_returns_a_cited_answer_and_stores_the_transcript(live: Live) -> None:
    body = _ask(live)
    assert set(body) == {"answer", "conversation_id", "transcript_id", "evidence_note"}
    answer = Answer.model_validate(body["answer"])
    assert body["evidence_note"] == evidence_note(answer) and body["evidence_note"].startswith("Evidence: ")
    assert not answer.declined and answer.citations
    assert answer.conversation_id == body["conversation_id"]
    for c in answer.citations:
        assert c.url.startswith(f"/sources/{c.doc_id}?passage={c.passage_id}#")
        assert f"[{c.number}]" in answer.text
    t = live.store.get(body["transcript_id"])
    assert t is not None and t.channel == "web" and t.conversation_id == body["conversation_id"]
    assert Answer.model_validate_json(t.answer_json).text == answer.text
    assert t.question == QUESTION and not t.declined and t.top_score > 0


def test_stream_sends_meta_deltas_citations_done(live: Live) -> None:
    with live.client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        body = "".join(r.iter_text())
    events = parse_sse(body)
    names = [e for e, _ in events]
    assert names[0] == "status" and events[0][1]["text"].startswith("Searching the guidance")
    events = [(e, d) for e, d in events if e != "status"]
    names = [e for e, _ in events]
    assert names[0] == "meta" and names[-2:] == ["citations", "done"]
    assert names.count("delta") >= 2 and set(names[1:-2]) == {"delta"}
    meta, done = events[0][1], events[-1][1]
    assert meta["conversation_id"] == done["conversation_id"] and meta["transcript_id"] == done["transcript_id"]
    assert meta["legend"] == done["answer"]["legend"]
    text = "".join(d["text"] for e, d in events if e == "delta")
    shown = answer_view(Answer.model_validate(done["answer"]))
    assert text == shown.body and shown.body in done["answer"]["text"]
    assert done["answer"]["legend"] and done["answer"]["legend"] not in text  # shown once, from its own field
    assert events[-2][1]["citations"] == done["answer"]["citations"] and done["answer"]["citations"]
    assert events[-2][1]["evidence_note"] == done["evidence_note"] != ""
    assert live.store.get(done["transcript_id"]) is not None


def test_declined_answer_offers_closest_sections(live: Live) -> None:
    body = _ask(live, OUT_OF_SCOPE)
    answer = body["answer"]
    assert answer["declined"] is True and answer["citations"] == []
    assert body["evidence_note"] == ""  # a decline says so itself
    assert answer["decline_reason"]
    for s in answer["closest_sections"]:
        assert s["url"].startswith("/sources/")


def test_personal_data_is_redacted_before_storage(live: Live) -> None:
    q = "My email is jo.bloggs@example.org and phone 07700 900123: what does the designated teacher do?"
    body = _ask(live, q)
    assert "jo.bloggs@example.org" not in body["answer"]["question"]
    assert body["answer"]["personal_data_notice"]
    t = live.store.get(body["transcript_id"])
    assert t is not None
    for secret in ("jo.bloggs@example.org", "07700 900123", "07700900123"):
        assert secret not in t.question and secret not in t.answer_json
    assert "[email]" in t.question


def test_follow_up_uses_the_conversation(live: Live) -> None:
    first = _ask(live)
    second = _ask(live, "And what about previously looked-after children?", conversation_id=first["conversation_id"])
    assert second["conversation_id"] == first["conversation_id"]
    assert second["transcript_id"] != first["transcript_id"]
    conv = live.store.conversation(first["conversation_id"])
    assert conv is not None and len(conv.turns) == 2
    assert conv.turns[1].question == "And what about previously looked-after children?"


def test_thanks_after_an_answer_is_welcomed_and_the_next_follow_up_leans_on_the_question(live: Live) -> None:
    first = _ask(live)
    thanks = _ask(live, "thanks, that was really helpful!", conversation_id=first["conversation_id"])
    assert thanks["answer"]["declined"] and thanks["answer"]["citations"] == []
    assert thanks["answer"]["text"].startswith("You're welcome.")
    _ask(live, "And what about previously looked-after children?", conversation_id=first["conversation_id"])
    conv = live.store.conversation(first["conversation_id"])
    assert conv is not None and len(conv.turns) == 3
    resolved = conv.turns[2].resolved_question
    assert resolved != conv.turns[2].question and "thanks" not in resolved  # resolved against the first question


def test_follow_up_survives_a_restart(fake_settings: Settings, store: TranscriptStore) -> None:
    with running(fake_settings, store) as a:
        first = _ask(a)
    with running(fake_settings, store) as b:  # new app: the conversation comes back from the database
        second = _ask(b, "and for adopted children?", conversation_id=first["conversation_id"])
        assert second["conversation_id"] == first["conversation_id"]
        assert len(store.list_transcripts(conversation_id=first["conversation_id"])) == 2


def test_unknown_conversation_is_404(live: Live) -> None:
    r = live.client.post("/api/ask", json={"question": QUESTION, "conversation_id": "0123456789abcdef"})
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert "conversation" in r.json()["message"].lower()
    r = live.client.post("/api/ask/stream", json={"question": QUESTION, "conversation_id": "feedfacefeedface"})
    assert r.status_code == 404


def test_repeated_question_is_cached_but_still_stored(live: Live) -> None:
    a = _ask(live, "What is Pupil Premium Plus?")
    b = _ask(live, "  what is pupil premium plus?  ")
    assert a["answer"]["text"] == b["answer"]["text"]
    assert a["conversation_id"] != b["conversation_id"] and b["answer"]["conversation_id"] == b["conversation_id"]
    assert live.store.get(a["transcript_id"]) and live.store.get(b["transcript_id"])


# --- feedback -----------------------------------------------------------------------------------


def test_feedback_is_stored_and_redacted(live: Live) -> None:
    tid = _ask(live)["transcript_id"]
    r = live.client.post("/api/feedback", json={"transcript_id": tid, "helpful": False, "comment": "Ring 07700 900123"})
    assert r.status_code == 200 and r.json() == {
        "ok": True,
        "transcript_id": tid,
        "feedback_id": r.json()["feedback_id"],
    }
    assert isinstance(r.json()["feedback_id"], int)
    r = live.client.post("/api/feedback", json={"transcript_id": tid, "helpful": True})
    assert r.status_code == 200
    rows = live.store.feedback_for(tid)
    assert [f.helpful for f in rows] == [False, True] and rows[0].channel == "web"
    assert rows[0].comment and "07700" not in rows[0].comment and rows[1].comment is None
    r = live.client.post("/api/feedback", json={"transcript_id": "a" * 32, "helpful": True})
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    r = live.client.post("/api/feedback", json={"transcript_id": tid, "helpful": "maybe"})
    assert r.status_code == 422


def test_one_click_is_one_row_and_the_comment_updates_it(live: Live) -> None:
    tid = _ask(live)["transcript_id"]
    first = live.client.post("/api/feedback", json={"transcript_id": tid, "helpful": True}).json()
    row = first["feedback_id"]
    assert [(f.id, f.helpful, f.comment) for f in live.store.feedback_for(tid)] == [(row, True, None)]
    # changing one's mind, then adding the optional comment: the same row
    changed = {"transcript_id": tid, "helpful": False, "update": True, "feedback_id": row}
    assert live.client.post("/api/feedback", json=changed).json()["feedback_id"] == row
    comment = {**changed, "comment": "It missed kinship care; call 07700 900123"}
    assert live.client.post("/api/feedback", json=comment).json()["feedback_id"] == row
    [fb] = live.store.feedback_for(tid)
    assert fb.id == row and fb.helpful is False and fb.comment and "kinship" in fb.comment and "07700" not in fb.comment
    # an update without the row id changes the newest row of the transcript
    live.client.post("/api/feedback", json={"transcript_id": tid, "helpful": True, "update": True})
    assert [(f.id, f.helpful) for f in live.store.feedback_for(tid)] == [(row, True)]
    bad = {"transcript_id": "b" * 32, "helpful": True, "update": True, "feedback_id": row}
    assert live.client.post("/api/feedback", json=bad).status_code == 404


def test_a_nul_byte_is_stored_without_it_and_holds_up_no_later_record(live: Live) -> None:
    # PostgreSQL text cannot hold NUL: such a record used to fail for ever and block the retry queue behind it
    tid = _ask(live, "Which children is the Virtual\x00 School Head responsible for?")["transcript_id"]
    later = _ask(live)["transcript_id"]
    r = live.client.post("/api/feedback", json={"transcript_id": later, "helpful": False, "comment": "no\x00pe"})
    assert r.status_code == 200, r.text
    assert live.store.pending == 0
    stored = live.store.get(tid)
    assert stored is not None and stored.question == "Which children is the Virtual School Head responsible for?"
    assert live.store.get(later) is not None
    assert [f.comment for f in live.store.feedback_for(later)] == ["nope"]


def test_coverage_lists_what_is_held_and_which_well_known_documents_are_not(live: Live) -> None:
    from sync.manifest import load_manifest

    r = live.client.get("/api/coverage")
    assert r.status_code == 200, r.text
    body = r.json()
    assert {d["doc_id"] for d in body["held"]} == {d.doc_id for d in FAKE_DOCUMENTS}
    assert all(d["title"] and d["status"] and d["url"].startswith("/sources/") for d in body["held"])
    manifest = load_manifest()
    # the invented documents of the fake library are none of the manifest's publications
    assert [d["doc_id"] for d in body["not_held"]] == [e.doc_id for e in manifest.govuk]
    assert all(d["url"].startswith("https://www.gov.uk/") for d in body["not_held"])
    page = live.client.get("/").text
    assert "What I can answer from" in page and body["not_held"][0]["title"] in page


# --- limits and errors ----------------------------------------------------------------------------


def _no_trace(r: httpx.Response) -> None:
    assert "Traceback" not in r.text and 'File "' not in r.text
    body = r.json()
    assert set(body) == {"error", "message"} and body["message"]


def test_request_limits_give_clear_json_errors(live: Live) -> None:
    for path in ("/api/ask", "/api/ask/stream"):
        r = live.client.post(path, json={"question": ""})
        assert r.status_code == 422, r.text
        _no_trace(r)
        assert "empty" in r.json()["message"]
        r = live.client.post(path, json={"question": " \n\t "})
        assert r.status_code == 422
        r = live.client.post(path, json={"question": "x" * (live.settings.max_question_chars + 1)})
        assert r.status_code == 413
        _no_trace(r)
        assert str(live.settings.max_question_chars) in r.json()["message"]
        r = live.client.post(path, content=b"{not json", headers={"content-type": "application/json"})
        assert r.status_code == 400, r.text
        _no_trace(r)
        assert "JSON" in r.json()["message"]
        r = live.client.post(
            path, content=b"question=hi", headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert r.status_code in (400, 422)
        _no_trace(r)
        r = live.client.post(path, json={"conversation_id": None})
        assert r.status_code == 422
        _no_trace(r)
        assert "question" in r.json()["message"]
        r = live.client.post(path, json=["a list"])
        assert r.status_code in (400, 422)
        _no_trace(r)
        r = live.client.post(path, json={"question": QUESTION, "conversation_id": "../../etc/passwd"})
        assert r.status_code == 422
    r = live.client.get("/api/nothing-here")
    assert r.status_code == 404
    _no_trace(r)
    r = live.client.get("/api/ask")
    assert r.status_code == 405
    _no_trace(r)
    # exactly at the limit is fine
    r = live.client.post("/api/ask", json={"question": "a" * live.settings.max_question_chars})
    assert r.status_code == 200


def test_rate_limit_per_client(fake_settings: Settings, tmp_path: Path) -> None:
    settings = fake_settings.model_copy(update={"rate_limit_per_minute": 3})
    store = TranscriptStore(f"sqlite:///{tmp_path / 'rl.sqlite3'}")
    with running(settings, store) as live:
        before = metric_value(live.url, "vsh_rate_limited_total")
        codes = [live.client.post("/api/ask", json={"question": QUESTION}).status_code for _ in range(3)]
        assert codes == [200, 200, 200]
        r = live.client.post("/api/ask", json={"question": QUESTION})
        assert r.status_code == 429
        _no_trace(r)
        assert 1 <= int(r.headers["retry-after"]) <= 60
        assert live.client.post("/api/ask/stream", json={"question": QUESTION}).status_code == 429
        assert metric_value(live.url, "vsh_rate_limited_total") == before + 2
        assert live.client.get("/healthz").status_code == 200  # reading pages is not limited
        assert store.count() == 3


def test_cors_allows_configured_origins_only(fake_settings: Settings, tmp_path: Path) -> None:
    settings = fake_settings.model_copy(update={"cors_origins": ["https://school.example"]})
    store = TranscriptStore(f"sqlite:///{tmp_path / 'cors.sqlite3'}")
    with running(settings, store) as live:
        pre = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"}
        r = live.client.options("/api/ask", headers={"Origin": "https://school.example", **pre})
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "https://school.example"
        r = live.client.options("/api/ask", headers={"Origin": "https://evil.example", **pre})
        assert "access-control-allow-origin" not in r.headers


# --- operations -----------------------------------------------------------------------------------


def test_healthz_metrics_and_docs(live: Live) -> None:
    r = live.client.get("/healthz")
    assert r.status_code == 200
    h = r.json()
    assert h["status"] == "ok" and h["index"]["loaded"] and h["index"]["documents"] == len(FAKE_DOCUMENTS)
    assert h["database"] == {"reachable": True, "pending": 0}
    before = metric_value(live.url, "vsh_http_requests_total", route="/api/ask", status="200")
    declines = metric_value(live.url, "vsh_declines_total", channel="web")
    _ask(live)
    _ask(live, OUT_OF_SCOPE)
    live.client.post("/api/ask", json={"question": ""})
    text = live.client.get("/metrics").text
    for name in (
        "vsh_http_requests_total",
        "vsh_answer_latency_seconds_bucket",
        "vsh_declines_total",
        "vsh_storage_errors_total",
        "vsh_rate_limited_total",
    ):
        assert name in text or name.replace("_total", "") in text, name
    assert metric_value(live.url, "vsh_http_requests_total", route="/api/ask", status="200") == before + 2
    assert metric_value(live.url, "vsh_http_requests_total", route="/api/ask", status="422") >= 1
    assert metric_value(live.url, "vsh_declines_total", channel="web") == declines + 1
    assert metric_value(live.url, "vsh_answer_latency_seconds_count", channel="web") >= 2
    assert live.client.get("/docs").status_code == 200
    spec = live.client.get("/openapi.json").json()
    for path in ("/api/ask", "/api/ask/stream", "/api/feedback", "/api/sources/{doc_id}", "/healthz"):
        assert path in spec["paths"], path
    assert "AskResponse" in spec["components"]["schemas"]


def test_source_api_and_viewer(live: Live) -> None:
    answer = _ask(live)["answer"]
    cite = answer["citations"][0]
    data = live.client.get(f"/api/sources/{cite['doc_id']}").json()
    assert data["document"]["doc_id"] == cite["doc_id"] and data["status_label"]
    ids = [p["passage_id"] for s in data["sections"] for p in s["passages"]]
    assert cite["passage_id"] in ids and ids == sorted(ids)
    page_url, fragment = cite["url"].split("#")
    r = live.client.get(page_url)
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    html = r.text
    element = "passage-" + cite["passage_id"].replace(":", "-")
    assert re.search(rf'id="{element}" class="passage highlight" aria-current="true"', html)
    assert f'id="{fragment}"' in html and html.count(f'id="{fragment}"') == 1
    assert "<mark>" in html and data["document"]["title"] in html.replace("&#39;", "'").replace("&amp;", "&")
    ids_in_page = re.findall(r'id="(p-[^"]+)"', html)
    assert len(ids_in_page) == len(set(ids_in_page))
    r = live.client.get("/sources/no-such-document", headers={"accept": "text/html"})
    assert r.status_code == 404 and "<html" in r.text and "no-such-document" in r.text
    assert live.client.get("/api/sources/no-such-document").status_code == 404


def test_chat_page_and_static(live: Live) -> None:
    r = live.client.get("/")
    assert r.status_code == 200
    html = r.text
    assert "This is guidance, not legal advice. Do not enter a child&#39;s name or other personal details." in html
    assert '<label for="question">' in html and 'aria-live="polite"' in html and 'class="skip-link"' in html
    for landmark in ("<header", "<main", "<footer"):
        assert landmark in html
    assert "http://" not in html.replace("http://127.0.0.1", "") and "cdn" not in html.lower()
    assert "default-src 'self'" in r.headers["content-security-policy"]
    for asset in ("/static/app.css", "/static/chat.js", "/static/source.js"):
        assert live.client.get(asset).status_code == 200


# --- degraded modes -------------------------------------------------------------------------------


def test_missing_index_starts_and_reports_503(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "empty-data", corpus_paths=[])
    store = TranscriptStore(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    app = create_app(settings, store=store)
    with live_server(app) as server, httpx.Client(base_url=server.base_url, timeout=30) as c:
        h = c.get("/healthz")
        assert h.status_code == 503
        body = h.json()
        assert body["status"] == "unavailable" and not body["index"]["loaded"] and body["database"]["reachable"]
        assert "ingest" in body["index"]["error"]
        r = c.post("/api/ask", json={"question": QUESTION})
        assert r.status_code == 503 and r.json()["error"] == "unavailable"
        assert "ingest" in r.json()["message"]
        assert c.post("/api/ask/stream", json={"question": QUESTION}).status_code == 503
        assert c.get("/api/coverage").status_code == 503
        assert "index is not available" in c.get("/").text
        for source_path in ("/api/sources/designated-teacher-2018", "/sources/designated-teacher-2018"):
            r = c.get(source_path)
            assert r.status_code == 503 and "ingest" in r.text
        assert c.get("/").status_code == 200
        assert store.count() == 0


def test_database_outage_still_answers_and_recovers(live: Live, backend: str, tmp_path: Path) -> None:
    before = metric_value(live.url, "vsh_storage_errors_total")
    real = live.store.engine
    live.store.engine = create_engine("postgresql+psycopg://vsh@127.0.0.1:1/none?connect_timeout=2")
    try:
        during = _ask(live)
        assert during["answer"]["citations"]
        streamed = parse_sse(live.client.post("/api/ask/stream", json={"question": "What is PP+?"}).text)
        assert streamed[-1][0] == "done"
        assert live.store.pending == 2
        assert metric_value(live.url, "vsh_storage_errors_total") >= before + 1
        h = live.client.get("/healthz")
        assert h.status_code == 503 and h.json()["database"] == {"reachable": False, "pending": 2}
        # feedback on a queued transcript is queued behind it
        r = live.client.post("/api/feedback", json={"transcript_id": during["transcript_id"], "helpful": True})
        assert r.status_code == 200 and live.store.pending == 3
    finally:
        live.store.engine = real  # type: ignore[assignment]
    after = _ask(live, "What does the designated teacher do?")
    assert live.store.pending == 0
    for tid in (during["transcript_id"], streamed[-1][1]["transcript_id"], after["transcript_id"]):
        assert live.store.get(tid) is not None
    assert len(live.store.feedback_for(during["transcript_id"])) == 1
    assert live.client.get("/healthz").json()["database"] == {"reachable": True, "pending": 0}


def test_sqlite_file_unreachable_then_restored(fake_settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "dbdir"
    store = TranscriptStore(f"sqlite:///{folder / 'vsh.sqlite3'}")
    with running(fake_settings, store, flush_interval=0.2) as live:
        _ask(live)
        store.engine.dispose()
        shutil.move(folder, tmp_path / "away")
        try:
            lost = _ask(live, "What is Pupil Premium Plus?")
            assert store.pending == 1
        finally:
            store.engine.dispose()
            shutil.move(tmp_path / "away", folder)
        # the periodic flush lands it without any further request
        import time

        deadline = time.monotonic() + 15
        while store.pending and time.monotonic() < deadline:
            time.sleep(0.1)
        assert store.pending == 0 and store.get(lost["transcript_id"]) is not None
        assert store.count() == 2


# --- the real corpus ------------------------------------------------------------------------------


def test_real_corpus_index_answers_with_citations_and_sources(corpus_settings: Settings, tmp_path: Path) -> None:
    store = TranscriptStore(f"sqlite:///{tmp_path / 'real.sqlite3'}")
    with running(corpus_settings, store, real=True) as live:
        body = _ask(live)
        answer = Answer.model_validate(body["answer"])
        assert not answer.declined and answer.citations
        assert live.client.get("/healthz").json()["index"]["documents"] >= 5
        cite = answer.citations[0]
        page = live.client.get(cite.url.split("#")[0])
        assert page.status_code == 200 and f'id="{cite.url.split("#")[1]}"' in page.text
        assert live.store.get(body["transcript_id"]) is not None
    store.engine.dispose()
