"""Approved answers over the fake retriever: stored with the cited documents' hashes, served again to the same
question (labelled, with citations), never to a question that only looks similar, stale when a cited document
changes, and seen through the channels' answer cache at once. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from _servers import live_server
from fakes import FAKE_DOCUMENTS, FakeRetriever

from assistant import Answer, Assistant
from bots.service import ChannelService
from bots.web import create_app
from settings import Settings
from storage import StoredApprovedAnswers, TranscriptStore
from storage.approved import approve, approved_answers, mark_stale

QUESTION = "Who decides how Pupil Premium Plus is spent?"


@pytest.fixture
def store(store_on_each_backend: TranscriptStore) -> TranscriptStore:
    """Every test here runs on SQLite and on PostgreSQL."""
    return store_on_each_backend


def _assistant(settings: Settings, store: TranscriptStore, index: FakeRetriever | None = None) -> Assistant:
    source = StoredApprovedAnswers(store, threshold=0.7, word_threshold=0.5)
    return Assistant(settings, index=index or FakeRetriever(), approved=source)


def test_approved_answer_is_served_labelled_then_stale_when_a_cited_document_changes(
    fake_settings: Settings, store: TranscriptStore
) -> None:
    assistant = _assistant(fake_settings, store)
    fresh = assistant.ask(QUESTION)
    assert fresh.reviewed is None and fresh.citations
    approved_id = approve(
        store,
        question=fresh.question,
        answer=fresh,
        reviewer="vsh-lead",
        kind="approved",
        documents=assistant.index.documents(),
    )
    [row] = approved_answers(store)
    assert row.reviewer == "vsh-lead" and row.question == QUESTION and row.created_at is not None
    assert set(row.doc_hashes) == {c.doc_id for c in fresh.citations}
    assert all(len(sha) == 64 for sha in row.doc_hashes.values())

    again = assistant.ask("who decides how pupil premium plus is spent")
    assert again.reviewed is not None and again.reviewed.approved_id == approved_id
    assert again.text.startswith(f"Reviewed by a Virtual School Head on {again.reviewed.date.day} ")
    assert again.citations == fresh.citations and again.question == "who decides how pupil premium plus is spent"
    stable = set(fresh.model_dump()) | {"reviewed"}
    assert set(again.model_dump()) == stable  # existing fields kept, one added

    # looks similar, asks something else: never the approved answer
    for other in (
        "Who decides how Pupil Premium Plus is spent for previously looked-after children?",
        "How much Pupil Premium Plus is spent?",
        "Who decides how Pupil Premium is spent?",
    ):
        assert assistant.ask(other).reviewed is None, other

    # re-ingest changed a cited document: the answer is no longer served and is listed stale
    cited = fresh.citations[0].doc_id
    changed = [d.model_copy(update={"sha256": "0" * 64}) if d.doc_id == cited else d for d in FAKE_DOCUMENTS]
    after = _assistant(fake_settings, store, FakeRetriever(documents=changed))
    assert after.ask(QUESTION).reviewed is None
    [stale] = approved_answers(store, "stale")
    assert stale.id == approved_id and "changed" in stale.stale_reason
    assert approved_answers(store) == []


def test_mark_stale_and_supersede(fake_settings: Settings, store: TranscriptStore) -> None:
    assistant = _assistant(fake_settings, store)
    answer = assistant.ask(QUESTION)
    docs = assistant.index.documents()
    first = approve(store, question=QUESTION, answer=answer, reviewer="a", kind="approved", documents=docs)
    second = approve(store, question=QUESTION, answer=answer, reviewer="b", kind="corrected", documents=docs)
    assert [r.id for r in approved_answers(store)] == [second]
    assert [r.id for r in approved_answers(store, "superseded")] == [first]
    assert mark_stale(store, docs) == 0
    assert mark_stale(store, [d for d in docs if d.doc_id != answer.citations[0].doc_id]) == 1
    assert "no longer in the index" in approved_answers(store, "stale")[0].stale_reason
    with pytest.raises(ValueError):
        approve(store, question=QUESTION, answer=answer, reviewer="a", kind="liked", documents=docs)


def test_channel_cache_sees_a_new_approval_at_once(fake_settings: Settings, store: TranscriptStore) -> None:
    assistant = _assistant(fake_settings, store)
    service = ChannelService(fake_settings, assistant, store, channel="web", answer_cache_size=16)
    first = service.ask(QUESTION)
    assert first.answer.reviewed is None and not first.cached
    assert service.ask(QUESTION).cached
    approve(
        store,
        question=QUESTION,
        answer=first.answer,
        reviewer="vsh-lead",
        kind="approved",
        documents=assistant.index.documents(),
    )
    served = service.ask(QUESTION)
    assert served.answer.reviewed is not None and not served.cached


def test_web_api_serves_the_approved_answer_and_an_unreadable_store_serves_none(
    fake_settings: Settings, tmp_path: Path
) -> None:
    import httpx

    store = TranscriptStore(f"sqlite:///{tmp_path / 'api.sqlite3'}")
    assistant = _assistant(fake_settings, store)
    app = create_app(fake_settings, assistant=assistant, store=store)
    with live_server(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
        answer = client.post("/api/ask", json={"question": QUESTION}).json()["answer"]
        assert answer["reviewed"] is None
        approve(
            store,
            question=QUESTION,
            answer=Answer.model_validate(answer),
            reviewer="vsh-lead",
            kind="approved",
            documents=assistant.index.documents(),
        )
        served = client.post("/api/ask", json={"question": QUESTION + " "}).json()["answer"]
        assert served["reviewed"]["label"].startswith("Reviewed by a Virtual School Head on ")
        assert served["text"].startswith(served["reviewed"]["label"]) and served["citations"]
    # a database without the table (never migrated): answered from the guidance as usual
    empty = TranscriptStore(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert _assistant(fake_settings, empty).ask(QUESTION).reviewed is None
