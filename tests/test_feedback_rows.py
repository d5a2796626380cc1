"""Feedback is one row per click; the other button and the comment update that row (SQLite and PostgreSQL),
also while the database is away (the update waits in the queue and lands on the right row)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from assistant.models import Answer
from storage import TranscriptStore


@pytest.fixture
def store(store_on_each_backend: TranscriptStore) -> TranscriptStore:
    """Every test here runs on SQLite and on PostgreSQL."""
    return store_on_each_backend


def transcript(store: TranscriptStore) -> str:
    answer = Answer(question="What is PP+?", text="Pupil premium plus [1].")
    return store.record(answer, channel="web", conversation_id="c1")


def test_a_click_is_a_row_and_updates_change_it(store: TranscriptStore) -> None:
    tid = transcript(store)
    row = store.add_feedback(tid, True)
    assert isinstance(row, int)
    assert store.update_feedback(tid, row, False) == row
    assert store.update_feedback(tid, row, False, "Missed the point") == row
    assert store.update_feedback(tid, row, False) == row  # no comment given: the stored one stays
    assert [(f.id, f.helpful, f.comment) for f in store.feedback_for(tid)] == [(row, False, "Missed the point")]
    second = store.add_feedback(tid, True, channel="slack")  # another click (another person) is another row
    assert store.update_feedback(tid, None, True, "Good", channel="slack") == second
    assert [(f.helpful, f.comment) for f in store.feedback_for(tid)] == [(False, "Missed the point"), (True, "Good")]


def test_an_update_without_a_row_adds_one_and_an_unknown_transcript_is_refused(store: TranscriptStore) -> None:
    tid = transcript(store)
    assert isinstance(store.update_feedback(tid, None, True, "First"), int)
    assert [(f.helpful, f.comment) for f in store.feedback_for(tid)] == [(True, "First")]
    with pytest.raises(KeyError):
        store.update_feedback("f" * 32, None, True)


def test_updates_wait_in_the_queue_during_an_outage(store: TranscriptStore) -> None:
    tid = transcript(store)
    row = store.add_feedback(tid, True)
    real = store.engine
    store.engine = create_engine("postgresql+psycopg://vsh@127.0.0.1:1/none?connect_timeout=2")
    try:
        assert store.update_feedback(tid, row, False, "During the outage") is None
        assert store.add_feedback(tid, True, channel="slack") is None  # a new click, queued
        assert store.update_feedback(tid, None, False, "Queued comment", channel="slack") is None  # changes it
        assert store.pending == 2
    finally:
        store.engine = real  # type: ignore[assignment]
    assert store.flush() == 2
    assert [(f.helpful, f.comment, f.channel) for f in store.feedback_for(tid)] == [
        (False, "During the outage", "web"),
        (False, "Queued comment", "slack"),
    ]
