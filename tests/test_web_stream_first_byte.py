"""The stream answers at once: a `status` event is sent before the answer is worked out, over real HTTP.

With an assistant held back until the test lets it go, the first event arrives while the answer does not yet
exist; with the real corpus index on a freshly started server (nothing asked before, no answer cached), the
first byte comes within 100 ms.
"""

from __future__ import annotations

import statistics
import threading
import time
from typing import Any

import httpx
import pytest
from _servers import live_server, parse_sse, shared_assistant
from fakes import fake_assistant

from bots.web import create_app
from settings import Settings
from storage import TranscriptStore

QUESTION = "Which children is the Virtual School Head responsible for?"


def first_byte_and_rest(client: httpx.Client, question: str) -> tuple[float, str, str]:
    """(seconds to the first byte of the body, the first chunk, the whole body)."""
    t0 = time.perf_counter()
    with client.stream("POST", "/api/ask/stream", json={"question": question}) as r:
        assert r.status_code == 200
        chunks = r.iter_text()
        first = next(chunks)
        elapsed = time.perf_counter() - t0
        rest = "".join(chunks)
    return elapsed, first, first + rest


def test_status_comes_before_the_answer_exists(fake_settings: Settings, tmp_path: Any) -> None:
    assistant = fake_assistant(fake_settings)
    release = threading.Event()
    asked = threading.Event()
    real_ask = assistant.ask

    def held_back(question: str, conversation: Any = None) -> Any:
        asked.set()
        assert release.wait(30), "the test never let the answer go"
        return real_ask(question, conversation)

    assistant.ask = held_back  # type: ignore[method-assign]
    store = TranscriptStore(f"sqlite:///{tmp_path / 'vsh.sqlite3'}")
    app = create_app(fake_settings, assistant=assistant, store=store)
    with live_server(app) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        t0 = time.perf_counter()
        with client.stream("POST", "/api/ask/stream", json={"question": QUESTION}) as r:
            chunks = r.iter_text()
            first = next(chunks)
            waited = time.perf_counter() - t0
            assert not release.is_set()  # the answer is still held back
            assert parse_sse(first)[0] == ("status", {"stage": "searching", "text": "Searching the guidance…"})
            assert asked.wait(10)
            release.set()
            events = parse_sse(first + "".join(chunks))
        assert [e for e, _ in events if e != "status"][-1] == "done"
        assert waited < 5  # generous: the point is that it did not wait for the answer


@pytest.mark.browser  # a freshly served app with the real index, like `vsh serve` just started
def test_first_byte_within_100_ms_while_the_server_warms(corpus_settings: Settings, tmp_path: Any) -> None:
    from assistant import Assistant

    assistant = Assistant(corpus_settings)  # a fresh one: nothing embedded yet, so the warm-up has work to do
    assistant.index.embed(["warm the embedding model"])
    store = TranscriptStore(f"sqlite:///{tmp_path / 'vsh.sqlite3'}")
    app = create_app(corpus_settings, assistant=assistant, store=store, answer_cache_size=0)
    questions = [
        QUESTION,
        "How should Pupil Premium Plus funding be managed?",
        "What does the designated teacher have to do?",
        "What changed for children in kinship care?",
        "Who writes the personal education plan?",
    ]
    with live_server(app) as server, httpx.Client(base_url=server.base_url, timeout=120) as client:
        timings = []
        for q in questions:
            elapsed, first, body = first_byte_and_rest(client, q)
            assert first.startswith("event: status")
            assert parse_sse(body)[-1][0] == "done"
            timings.append(elapsed)
    print(f"first byte while warming: {[round(t * 1000, 1) for t in timings]} ms")
    assert statistics.median(timings) < 0.1, timings
    shared_assistant(corpus_settings)  # keep the session's shared one warm for the tests that follow
