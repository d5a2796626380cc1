"""`TranscriptStore`: record answers and feedback; survive brief database outages without losing records.

The store writes through `TranscriptRepository` and, when a write fails (database down, file unreachable),
keeps the record in a `WriteBehindQueue` (see `storage.queue`: bounded, ordered, counted in Prometheus).
The queue is flushed, in order, before the next write and by `flush()` (the web app calls it periodically;
`start_flusher()` runs a background thread for other processes). Reads see queued records too.
"""

from __future__ import annotations

import contextlib
import logging
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from assistant.conversation import Conversation
from assistant.models import Answer
from storage.models import Feedback, Transcript, utcnow
from storage.queue import STORAGE_ERRORS, Pending, WriteBehindQueue
from storage.repository import CHANNELS, StorageError, TranscriptRepository, transcript_row, turn_from

__all__ = ["CLAIM_DAYS", "TranscriptStore"]

CLAIM_DAYS = 2
"""How long a delivery claim (`claim_delivery`) is kept."""

log = logging.getLogger("vsh.db")


class TranscriptStore:
    """Transcripts and feedback in SQLite or PostgreSQL. Thread-safe; one instance per process is enough."""

    def __init__(self, url: str, *, max_pending: int = 10_000) -> None:
        self.url = url
        self.repository = TranscriptRepository(url)
        self.queue = WriteBehindQueue(self.repository.insert, lambda: self.safe_url, max_pending)

    # --- accessors --------------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        return self.repository.engine

    @engine.setter
    def engine(self, engine: Engine) -> None:
        """Swap the engine (used by tests to simulate an outage and recovery)."""
        self.repository.engine = engine

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for logs."""
        return self.repository.safe_url

    def session(self) -> AbstractContextManager[Session]:
        """A session committed on success, rolled back on error."""
        return self.repository.session()

    @property
    def pending(self) -> int:
        """Records waiting in the retry queue."""
        return len(self.queue)

    @property
    def errors(self) -> int:
        """Failed writes and flushes so far."""
        return self.queue.errors

    @property
    def dropped(self) -> int:
        """Queued records lost because the queue was full."""
        return self.queue.dropped

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision ('alembic upgrade head')."""
        self.repository.migrate()

    def revision(self) -> str | None:
        """The schema revision in the database (None before `migrate()`)."""
        return self.repository.revision()

    def ping(self) -> bool:
        """True when the database answers."""
        return self.repository.ping()

    # --- writes -----------------------------------------------------------------------------------

    def record(
        self,
        answer: Answer,
        *,
        channel: str,
        conversation_id: str,
        external_ref: str | None = None,
        run_id: str | None = None,
        resolved_question: str | None = None,
    ) -> str:
        """Store one exchange and return its transcript id (even when the write had to be queued)."""
        if channel not in CHANNELS:
            raise ValueError(f"unknown channel {channel!r}; expected one of {', '.join(CHANNELS)}")
        row = transcript_row(
            answer,
            channel=channel,
            conversation_id=conversation_id,
            external_ref=external_ref,
            run_id=run_id,
            resolved_question=resolved_question,
        )
        self._write(Pending("transcript", row))
        return str(row["id"])

    def add_feedback(
        self, transcript_id: str, helpful: bool, comment: str | None = None, channel: str = "web"
    ) -> int | None:
        """Store one click of feedback on a transcript: the new row's id (None while it waits in the queue).
        Unknown transcript -> KeyError."""
        row = {
            "transcript_id": transcript_id,
            "helpful": bool(helpful),
            "comment": comment or None,
            "channel": channel,
            "created_at": utcnow(),
        }
        item = Pending("feedback", row)
        if any(r["id"] == transcript_id for r in self.queue.rows("transcript")):
            self.queue.put(item)  # its transcript is still waiting: keep the order
            return None
        try:
            known = self.repository.exists(transcript_id)
        except (SQLAlchemyError, OSError) as exc:
            self.queue.defer(item, "feedback", exc)
            return None
        if not known:
            raise KeyError(transcript_id)
        return self._write(item)

    def update_feedback(
        self,
        transcript_id: str,
        feedback_id: int | None,
        helpful: bool,
        comment: str | None = None,
        channel: str = "web",
    ) -> int | None:
        """Change the feedback of one click (the other button, or its optional comment) instead of adding a row:
        the row `feedback_id`, or (None) the newest row of the transcript from `channel`, also while it waits in
        the queue. A None comment keeps the stored one. No such row -> a new one (KeyError: unknown transcript).
        Returns the row id (None while queued)."""
        if feedback_id is None:
            for queued in reversed(self.queue.rows("feedback")):
                if queued["transcript_id"] == transcript_id and queued["channel"] == channel:
                    queued["helpful"] = bool(helpful)
                    if comment is not None:
                        queued["comment"] = comment or None
                    return None
        change: dict[str, Any] = {
            "transcript_id": transcript_id,
            "feedback_id": feedback_id,
            "helpful": bool(helpful),
            "comment": comment,
            "channel": channel,
        }
        if self.pending:
            self.flush()
            if self.pending:
                self.queue.put(Pending("feedback_update", change))
                return None
        try:
            found = self.repository.update_feedback(**change)
        except (SQLAlchemyError, OSError) as exc:
            self.queue.defer(Pending("feedback_update", change), "feedback", exc)
            return None
        if found is None:
            return self.add_feedback(transcript_id, helpful, comment, channel)
        return found

    def _write(self, item: Pending) -> int | None:
        if self.pending:
            self.flush()
            if self.pending:
                self.queue.put(item)
                return None
        try:
            return self.repository.insert(item.kind, item.row)
        except IntegrityError as exc:
            if item.kind == "feedback":
                raise KeyError(item.row["transcript_id"]) from exc
            self.queue.defer(item, item.kind, exc)
        except (SQLAlchemyError, OSError) as exc:
            self.queue.defer(item, item.kind, exc)
        return None

    def flush(self) -> int:
        """Write queued records in order; stop at the first connection failure. Returns how many landed."""
        return self.queue.flush()

    def start_flusher(self, interval: float = 5.0) -> None:
        """Flush the retry queue every `interval` seconds in a daemon thread."""
        self.queue.start(interval)

    def close(self) -> None:
        """Stop the flusher, try a last flush and release connections."""
        self.queue.stop()
        self.flush()
        self.repository.dispose()

    def claim_delivery(self, *keys: str, channel: str = "slack") -> bool:
        """True for the first delivery of any of `keys` across every process sharing this database (the keys
        are then taken), False for a repeat. When the database cannot be written the delivery is answered
        (True): a rare duplicate answer is better than a dropped question."""
        wanted = sorted({key[:255] for key in keys if key})
        if not wanted:
            return True
        try:
            self.repository.claim(wanted, channel)
        except IntegrityError:
            return False
        except (SQLAlchemyError, OSError) as exc:
            STORAGE_ERRORS.labels(operation="claim").inc()
            log.error("claim_delivery: database unavailable (%s); answering", type(exc).__name__)
        return True

    def delete_older_than(self, days: int) -> int:
        """Delete live transcripts (web, Slack, command line) older than `days` days, with their feedback and
        annotations; returns how many. `days` <= 0 deletes nothing (keep forever). Delivery claims older
        than `CLAIM_DAYS` are forgotten whatever `days` is (Slack retries within minutes)."""
        with contextlib.suppress(SQLAlchemyError, OSError):
            self.repository.delete_claims(utcnow() - timedelta(days=CLAIM_DAYS))
        if days <= 0:
            return 0
        return self.repository.delete_transcripts(before=utcnow() - timedelta(days=days))

    def delete_conversation(self, conversation_id: str) -> int:
        """Delete every stored transcript of one conversation, with its feedback and annotations."""
        return self.repository.delete_transcripts(conversation_id=conversation_id)

    # --- reads ------------------------------------------------------------------------------------

    def get(self, transcript_id: str) -> Transcript | None:
        """One transcript (a queued one too), or None."""
        for row in self.queue.rows("transcript"):
            if row["id"] == transcript_id:
                return Transcript(**row)
        try:
            return self.repository.get(transcript_id)
        except (SQLAlchemyError, OSError) as exc:
            raise StorageError(f"database unavailable: {type(exc).__name__}") from exc

    def feedback_for(self, transcript_id: str) -> list[Feedback]:
        """Feedback stored for a transcript, oldest first."""
        return self.repository.feedback_for(transcript_id)

    def conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation rebuilt from its stored (and queued) transcripts in order; None if unknown."""
        queued = [Transcript(**r) for r in self.queue.rows("transcript") if r["conversation_id"] == conversation_id]
        try:
            stored = self.repository.conversation_rows(conversation_id)
        except (SQLAlchemyError, OSError) as exc:
            if not queued:
                raise StorageError(f"database unavailable: {type(exc).__name__}") from exc
            stored = []
        seen = {t.id for t in stored}
        rows = stored + [t for t in queued if t.id not in seen]
        if not rows:
            return None
        return Conversation(id=conversation_id, turns=[turn_from(t) for t in rows])

    def has_external_ref(self, ref: str) -> bool:
        """True when a transcript with this external reference (e.g. a Slack event id) exists or is queued."""
        if any(r.get("external_ref") == ref for r in self.queue.rows("transcript")):
            return True
        try:
            return self.repository.has_external_ref(ref)
        except (SQLAlchemyError, OSError) as exc:
            STORAGE_ERRORS.labels(operation="read").inc()
            log.error("has_external_ref: database unavailable (%s); only queued records checked", type(exc).__name__)
            return False

    def list_transcripts(
        self,
        *,
        channel: str | None = None,
        conversation_id: str | None = None,
        run_id: str | None = None,
        since: datetime | None = None,
        declined: bool | None = None,
        limit: int = 100,
        offset: int = 0,
        newest_first: bool = True,
    ) -> list[Transcript]:
        """Stored transcripts, filtered; newest first unless told otherwise."""
        return self.repository.list_transcripts(
            channel=channel,
            conversation_id=conversation_id,
            run_id=run_id,
            since=since,
            declined=declined,
            limit=limit,
            offset=offset,
            newest_first=newest_first,
        )

    def count(self, *, channel: str | None = None, run_id: str | None = None) -> int:
        """How many transcripts are stored (queued ones not included)."""
        return self.repository.count(channel=channel, run_id=run_id)
