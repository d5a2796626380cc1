"""`TranscriptRepository`: transcripts and feedback in SQLite or PostgreSQL through SQLAlchemy.

Plain database access: every method reads or writes the database at once and lets SQLAlchemy's and the
operating system's errors through. Surviving outages is the job of `storage.queue` and `storage.store`.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, delete, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.conversation import Turn
from assistant.models import Answer
from settings import VshError
from storage.models import DeliveryClaim, Feedback, Transcript, new_id, utcnow

__all__ = [
    "TranscriptRepository",
    "StorageError",
    "CHANNELS",
    "LIVE_CHANNELS",
    "MIGRATIONS",
    "transcript_row",
    "turn_from",
]

CHANNELS = ("web", "slack", "cli", "eval")
LIVE_CHANNELS = ("web", "slack", "cli")
"""Channels people type into; evaluation transcripts ('eval') come from question sets and stay with their run."""
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATION_LOCK = 7_316_001
"""PostgreSQL advisory lock key held while migrating."""


class StorageError(VshError, RuntimeError):
    """The database could not be read."""

    hint = "Check that the database (VSH_DATABASE_URL) is reachable; answers are still given meanwhile."


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def _private_file(path: Path) -> None:
    """Create the SQLite file readable by its owner only (0600); SQLite gives its -wal and -shm files the
    same mode. An existing file keeps the mode it has."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(OSError):  # it exists already, or cannot be created: connecting will tell
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _without_nul(value: Any) -> Any:
    """`value` (a statement's parameters) with NUL characters removed from its strings."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_without_nul(v) for v in value)
    return value


def _strip_nul(engine: Engine) -> None:
    """Text is stored without NUL characters, on both backends: PostgreSQL refuses them, and a record that can
    never be written would wait in the retry queue for ever, holding up every record behind it."""

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def _clean(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> Any:
        return statement, _without_nul(parameters)


def make_engine(url: str) -> Engine:
    """An engine for `url`: SQLite (file created 0600) with WAL and a busy timeout, or pooled PostgreSQL; text
    parameters lose any NUL character (`_strip_nul`)."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            _private_file(Path(u.database))
        engine = create_engine(u, connect_args={"check_same_thread": False, "timeout": 30})
        _strip_nul(engine)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes
            cur.close()

        return engine
    engine = create_engine(u, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=10)
    _strip_nul(engine)
    return engine


def transcript_row(
    answer: Answer,
    *,
    channel: str,
    conversation_id: str,
    external_ref: str | None = None,
    run_id: str | None = None,
    resolved_question: str | None = None,
    transcript_id: str | None = None,
) -> dict[str, Any]:
    """The column values of one Transcript for `answer` (the question is the already-redacted one)."""
    scores = [c.score for c in answer.citations] or [c.score for c in answer.closest_sections]
    return {
        "id": transcript_id or new_id(),
        "conversation_id": conversation_id,
        "channel": channel,
        "question": answer.question,
        "resolved_question": resolved_question,
        "answer_json": answer.model_dump_json(),
        "answer_text": answer.text,
        "declined": answer.declined,
        "evidence": answer.evidence,
        "confidence": float(answer.confidence),
        "question_type": answer.question_type,
        "top_score": float(max(scores, default=0.0)),
        "citations_json": json.dumps([c.model_dump(mode="json") for c in answer.citations]),
        "latency_ms": float(answer.latency_ms),
        "created_at": utcnow(),
        "run_id": run_id,
        "external_ref": external_ref,
    }


def turn_from(t: Transcript) -> Turn:
    """Rebuild the conversation Turn of a stored transcript."""
    cites = json.loads(t.citations_json or "[]")
    return Turn(
        question=t.question,
        resolved_question=t.resolved_question or t.question,
        answer=t.answer_text,
        doc_ids=list(dict.fromkeys(c["doc_id"] for c in cites)),
        sections=list(dict.fromkeys(c["section"] for c in cites)),
        question_type=t.question_type,  # type: ignore[arg-type,unused-ignore]
        declined=t.declined,
    )


class TranscriptRepository:
    """Rows of the transcript and feedback tables. Thread-safe; SQLite writers are serialised here."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._write_lock = threading.Lock()

    @property
    def engine(self) -> Engine:
        return self._engine

    @engine.setter
    def engine(self, engine: Engine) -> None:
        """Swap the engine (tests simulate an outage and recovery with it)."""
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        # SQLite allows one writer: queue writers here rather than in SQLite's sleeping busy handler
        self._serial_writes = engine.url.get_backend_name() == "sqlite"

    @property
    def safe_url(self) -> str:
        """The URL with any password masked, for logs."""
        return self._engine.url.render_as_string(hide_password=True)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success, rolled back on error."""
        with self._sessions() as s, s.begin():
            yield s

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        if self._serial_writes:
            with self._write_lock, self.session() as s:
                yield s
        else:
            with self.session() as s:
                yield s

    # --- schema -----------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision ('alembic upgrade head'). On PostgreSQL the upgrade
        holds an advisory lock, so replicas starting together migrate one after the other."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self._engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def revision(self) -> str | None:
        """The schema revision in the database (None before `migrate()`)."""
        try:
            with self._engine.connect() as conn:
                return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except SQLAlchemyError:
            return None

    def ping(self) -> bool:
        """True when the database answers."""
        try:
            with self._engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except (SQLAlchemyError, OSError):
            return False

    def dispose(self) -> None:
        """Release pooled connections."""
        self._engine.dispose()

    # --- writes -----------------------------------------------------------------------------------

    def insert(self, kind: str, row: dict[str, Any]) -> int | None:
        """Insert one 'transcript' or 'feedback' row, or apply a 'feedback_update' (see `update_feedback`; a
        new row when there is none to change). IntegrityError for a duplicate or an orphan. Returns the id of
        the feedback row written (None for a transcript)."""
        if kind == "feedback_update":
            found = self.update_feedback(**row)
            if found is not None:
                return found
            kind, row = "feedback", {k: v for k, v in row.items() if k != "feedback_id"} | {"created_at": utcnow()}
        with self._writing() as s:
            item = Transcript(**row) if kind == "transcript" else Feedback(**row)
            s.add(item)
            s.flush()
            return int(item.id) if isinstance(item, Feedback) else None

    def update_feedback(
        self, *, transcript_id: str, feedback_id: int | None, helpful: bool, comment: str | None, channel: str
    ) -> int | None:
        """Change one feedback row: `feedback_id` of this transcript, or (None) the newest row of the transcript
        from `channel`. A None comment keeps the stored one. Returns the row id, None when there is no such row."""
        q = select(Feedback).where(Feedback.transcript_id == transcript_id)
        if feedback_id is not None:
            q = q.where(Feedback.id == feedback_id)
        else:
            q = q.where(Feedback.channel == channel).order_by(Feedback.id.desc()).limit(1)
        with self._writing() as s:
            row = s.scalars(q).first()
            if row is None:
                return None
            row.helpful = bool(helpful)
            if comment is not None:
                row.comment = comment or None
            return int(row.id)

    def claim(self, keys: list[str], channel: str) -> None:
        """Insert delivery claims for `keys` in one transaction (IntegrityError when any is taken)."""
        now = utcnow()
        with self._writing() as s:
            s.add_all([DeliveryClaim(key=key, channel=channel, created_at=now) for key in keys])

    def delete_claims(self, before: datetime) -> int:
        """Forget delivery claims made before `before`; returns how many."""
        with self._writing() as s:
            return int(s.execute(delete(DeliveryClaim).where(DeliveryClaim.created_at < before)).rowcount or 0)  # type: ignore[attr-defined]

    def delete_transcripts(self, *, before: datetime | None = None, conversation_id: str | None = None) -> int:
        """Delete live-channel transcripts created before `before`, or every transcript of one conversation;
        their feedback and annotations go with them (ON DELETE CASCADE). Returns how many transcripts."""
        if before is None and conversation_id is None:
            raise ValueError("say which transcripts: before a date or of one conversation")
        q = delete(Transcript)
        if before is not None:
            q = q.where(Transcript.created_at < before, Transcript.channel.in_(LIVE_CHANNELS))
        if conversation_id is not None:
            q = q.where(Transcript.conversation_id == conversation_id)
        with self._writing() as s:
            return int(s.execute(q).rowcount or 0)  # type: ignore[attr-defined]

    # --- reads ------------------------------------------------------------------------------------

    @staticmethod
    def _detach(t: Transcript) -> Transcript:
        t.created_at = _aware(t.created_at)  # type: ignore[assignment]
        return t

    def exists(self, transcript_id: str) -> bool:
        """True when the transcript is stored."""
        with self.session() as s:
            return s.get(Transcript, transcript_id) is not None

    def get(self, transcript_id: str) -> Transcript | None:
        """One stored transcript, or None."""
        with self.session() as s:
            t = s.get(Transcript, transcript_id)
            return self._detach(t) if t is not None else None

    def feedback_for(self, transcript_id: str) -> list[Feedback]:
        """Feedback stored for a transcript, oldest first."""
        with self.session() as s:
            rows = s.scalars(
                select(Feedback).where(Feedback.transcript_id == transcript_id).order_by(Feedback.id)
            ).all()
            return list(rows)

    def conversation_rows(self, conversation_id: str) -> list[Transcript]:
        """The stored transcripts of a conversation, oldest first."""
        with self.session() as s:
            return list(
                s.scalars(
                    select(Transcript)
                    .where(Transcript.conversation_id == conversation_id)
                    .order_by(Transcript.created_at)
                ).all()
            )

    def has_external_ref(self, ref: str) -> bool:
        """True when a stored transcript has this external reference."""
        with self.session() as s:
            return s.scalar(select(Transcript.id).where(Transcript.external_ref == ref).limit(1)) is not None

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
        q = select(Transcript)
        if channel is not None:
            q = q.where(Transcript.channel == channel)
        if conversation_id is not None:
            q = q.where(Transcript.conversation_id == conversation_id)
        if run_id is not None:
            q = q.where(Transcript.run_id == run_id)
        if since is not None:
            q = q.where(Transcript.created_at >= since)
        if declined is not None:
            q = q.where(Transcript.declined == declined)
        order = Transcript.created_at.desc() if newest_first else Transcript.created_at.asc()
        q = q.order_by(order).limit(limit).offset(offset)
        with self.session() as s:
            return [self._detach(t) for t in s.scalars(q).all()]

    def count(self, *, channel: str | None = None, run_id: str | None = None) -> int:
        """How many transcripts are stored."""
        q = select(func.count()).select_from(Transcript)
        if channel is not None:
            q = q.where(Transcript.channel == channel)
        if run_id is not None:
            q = q.where(Transcript.run_id == run_id)
        with self.session() as s:
            return int(s.scalar(q) or 0)
