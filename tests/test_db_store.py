"""TranscriptStore on a real SQLite file and (when VSH_TEST_POSTGRES_URL is set) on PostgreSQL."""

from __future__ import annotations

import json
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

import storage
from assistant.models import Answer, Citation, ClosestSection
from storage import STORAGE_ERRORS, Base, Feedback, Transcript, TranscriptStore


def _answer(question: str = "Who is the VSH responsible for?", **kw: object) -> Answer:
    cite = Citation(
        number=1,
        passage_id="dt:00001",
        doc_id="dt",
        title="Designated teacher guidance",
        status="statutory",
        status_label="Statutory guidance",
        section="Role > Duties",
        paragraphs=["39"],
        pages=[21],
        quote="The VSH must ...",
        url="/sources/dt?passage=dt:00001#p-39",
        score=0.81,
    )
    data: dict[str, object] = {
        "question": question,
        "text": "The VSH must ... [1]",
        "citations": [cite],
        "evidence": "strong",
        "confidence": 0.7,
        "question_type": "duties",
        "latency_ms": 12.5,
    }
    data.update(kw)
    return Answer.model_validate(data)


@pytest.fixture
def store(store_on_each_backend: TranscriptStore) -> TranscriptStore:
    """Every test here runs on SQLite and on PostgreSQL."""
    return store_on_each_backend


def _errors() -> float:
    return sum(
        sample.value
        for metric in STORAGE_ERRORS.collect()
        for sample in metric.samples
        if sample.name == "vsh_storage_errors_total"
    )


def test_migrate_is_idempotent_and_creates_the_schema(store: TranscriptStore) -> None:
    store.migrate()
    scripts = ScriptDirectory(str(Path(storage.__file__).parent / "migrations"))
    assert store.revision() == scripts.get_current_head()
    assert scripts.get_base() == "0001_transcripts"
    tables = set(inspect(store.engine).get_table_names())
    assert {"transcripts", "feedback", "alembic_version"} <= tables
    cols = {c["name"] for c in inspect(store.engine).get_columns("transcripts")}
    for name in Transcript.__table__.columns.keys():  # noqa: SIM118 - ColumnCollection
        assert name in cols
    assert "transcripts" in Base.metadata.tables and "feedback" in Base.metadata.tables
    assert store.ping()


def test_record_and_get_roundtrip(store: TranscriptStore) -> None:
    a = _answer()
    tid = store.record(a, channel="web", conversation_id="c1", external_ref="ev-1")
    t = store.get(tid)
    assert t is not None
    assert t.channel == "web" and t.conversation_id == "c1" and t.question == a.question
    assert Answer.model_validate_json(t.answer_json) == a
    assert t.answer_text == a.text and t.declined is False and t.evidence == "strong"
    assert t.confidence == pytest.approx(0.7) and t.question_type == "duties"
    assert t.top_score == pytest.approx(0.81) and t.latency_ms == pytest.approx(12.5)
    assert json.loads(t.citations_json)[0]["passage_id"] == "dt:00001"
    assert t.created_at.tzinfo is not None
    assert abs(t.created_at - datetime.now(UTC)) < timedelta(minutes=5)
    assert t.run_id is None and t.external_ref == "ev-1"
    assert store.get("0" * 32) is None
    with pytest.raises(ValueError):
        store.record(a, channel="fax", conversation_id="c1")


def test_declined_answer_top_score_comes_from_closest_sections(store: TranscriptStore) -> None:
    a = _answer(
        citations=[],
        declined=True,
        evidence="none",
        closest_sections=[ClosestSection(doc_id="dt", title="DT", section="S", url="/sources/dt", score=0.33)],
    )
    t = store.get(store.record(a, channel="slack", conversation_id="c2"))
    assert t is not None and t.declined and t.top_score == pytest.approx(0.33)


def test_conversation_rebuilds_turns_in_order(store: TranscriptStore) -> None:
    assert store.conversation("nope") is None
    store.record(_answer("first question"), channel="web", conversation_id="conv", resolved_question="first resolved")
    time.sleep(0.01)
    store.record(_answer("second question"), channel="web", conversation_id="conv")
    store.record(_answer("other"), channel="web", conversation_id="other")
    conv = store.conversation("conv")
    assert conv is not None and conv.id == "conv"
    assert [t.question for t in conv.turns] == ["first question", "second question"]
    assert conv.turns[0].resolved_question == "first resolved"
    assert conv.turns[1].resolved_question == "second question"
    assert conv.turns[0].doc_ids == ["dt"] and conv.turns[0].sections == ["Role > Duties"]
    assert conv.turns[0].question_type == "duties"


def test_feedback_and_unknown_transcript(store: TranscriptStore) -> None:
    tid = store.record(_answer(), channel="web", conversation_id="c")
    store.add_feedback(tid, True, "clear answer")
    store.add_feedback(tid, False, None, channel="slack")
    rows = store.feedback_for(tid)
    assert [(f.helpful, f.comment, f.channel) for f in rows] == [(True, "clear answer", "web"), (False, None, "slack")]
    assert isinstance(rows[0], Feedback)
    with pytest.raises(KeyError):
        store.add_feedback("f" * 32, True)


def test_external_ref_and_listing(store: TranscriptStore) -> None:
    store.record(_answer("a"), channel="slack", conversation_id="s1", external_ref="Ev123")
    store.record(_answer("b"), channel="eval", conversation_id="e1", run_id="run-1")
    store.record(_answer("c", declined=True, citations=[]), channel="eval", conversation_id="e2", run_id="run-1")
    assert store.has_external_ref("Ev123") and not store.has_external_ref("Ev999")
    assert [t.question for t in store.list_transcripts(run_id="run-1", newest_first=False)] == ["b", "c"]
    assert [t.question for t in store.list_transcripts(channel="slack")] == ["a"]
    assert [t.question for t in store.list_transcripts(run_id="run-1", declined=True)] == ["c"]
    assert len(store.list_transcripts(limit=2)) == 2
    assert store.count() == 3 and store.count(run_id="run-1") == 2 and store.count(channel="web") == 0
    with store.session() as s:
        assert s.get(Transcript, store.list_transcripts(channel="slack")[0].id) is not None


def _break(store: TranscriptStore) -> object:
    """Point the store at a server that refuses connections; returns the real engine."""
    real = store.engine
    store.engine = create_engine("postgresql+psycopg://vsh@127.0.0.1:1/none?connect_timeout=2", pool_pre_ping=True)
    return real


def test_outage_queues_records_and_flushes_after_recovery(store: TranscriptStore) -> None:
    before = _errors()
    real = _break(store)
    assert not store.ping()
    t1 = store.record(_answer("during outage 1"), channel="web", conversation_id="o")
    t2 = store.record(_answer("during outage 2"), channel="web", conversation_id="o")
    store.add_feedback(t1, True, "queued with its transcript")
    assert store.pending == 3
    assert store.errors >= 1 and _errors() > before
    # queued turns are still visible to the conversation and to get()
    conv = store.conversation("o")
    assert conv is not None and [t.question for t in conv.turns] == ["during outage 1", "during outage 2"]
    assert store.get(t2) is not None
    assert store.has_external_ref("x") is False  # unreachable database: only the queue is checked
    assert store.flush() == 0 and store.pending == 3
    store.engine = real  # type: ignore[assignment]
    t3 = store.record(_answer("after recovery"), channel="web", conversation_id="o")
    assert store.pending == 0
    assert [t.question for t in store.list_transcripts(conversation_id="o", newest_first=False)] == [
        "during outage 1",
        "during outage 2",
        "after recovery",
    ]
    assert store.get(t3) is not None
    assert [f.comment for f in store.feedback_for(t1)] == ["queued with its transcript"]


def test_periodic_flusher_lands_queued_records(store: TranscriptStore) -> None:
    real = _break(store)
    store.record(_answer("queued"), channel="cli", conversation_id="p")
    assert store.pending == 1
    store.engine = real  # type: ignore[assignment]
    store.start_flusher(interval=0.05)
    deadline = time.monotonic() + 10
    while store.pending and time.monotonic() < deadline:
        time.sleep(0.05)
    assert store.pending == 0 and store.count(channel="cli") == 1


def test_retry_queue_is_bounded(tmp_path: Path) -> None:
    store = TranscriptStore(f"sqlite:///{tmp_path / 'q.sqlite3'}", max_pending=2)
    store.migrate()
    real = _break(store)
    for i in range(3):
        store.record(_answer(f"q{i}"), channel="web", conversation_id="b")
    assert store.pending == 2 and store.dropped == 1
    store.engine = real  # type: ignore[assignment]
    assert store.flush() == 2
    assert sorted(t.question for t in store.list_transcripts()) == ["q1", "q2"]
    store.close()


def test_sqlite_directory_removed_then_restored(tmp_path: Path) -> None:
    folder = tmp_path / "dbdir"
    store = TranscriptStore(f"sqlite:///{folder / 'vsh.sqlite3'}")
    store.migrate()
    store.record(_answer("before"), channel="web", conversation_id="d")
    store.engine.dispose()
    moved = tmp_path / "moved"
    shutil.move(folder, moved)
    try:
        store.record(_answer("while gone"), channel="web", conversation_id="d")
        assert store.pending == 1 and not store.ping()
    finally:
        store.engine.dispose()
        shutil.move(moved, folder)
    store.record(_answer("after"), channel="web", conversation_id="d")
    assert store.pending == 0
    assert [t.question for t in store.list_transcripts(newest_first=False)] == ["before", "while gone", "after"]
    store.close()


def test_a_record_the_database_refuses_for_its_content_does_not_hold_up_the_others() -> None:
    from sqlalchemy.exc import DataError

    from storage.queue import Pending, WriteBehindQueue

    written: list[int] = []

    def write(kind: str, row: dict[str, object]) -> None:
        if row["refused"]:
            raise DataError("INSERT INTO transcripts ...", {}, ValueError("value too long for type"))
        written.append(int(str(row["n"])))

    queue = WriteBehindQueue(write, lambda: "test database", max_pending=10)
    for n in range(3):
        queue.put(Pending("transcript", {"n": n, "refused": n == 0}))
    assert queue.flush() == 2 and written == [1, 2]
    assert len(queue) == 0 and queue.dropped == 1
