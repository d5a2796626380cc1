"""`TranscriptStore`: record answers and feedback; survive brief database outages without losing records.

Writes that fail (database down, file unreachable) are logged, counted in the Prometheus counter
`vsh_storage_errors_total` and kept in a bounded in-memory queue (`pending`). The queue is flushed, in
order, before the next write and by `flush()` (the web app calls it periodically; `start_flusher()` runs a
background thread for other processes). Only when the queue is full is the oldest record dropped (logged
and counted in `vsh_storage_dropped_total`).
"""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from prometheus_client import Counter, Gauge
from sqlalchemy import Engine, create_engine, event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from assistant.conversation import Conversation, Turn
from assistant.models import Answer
from bots.db.models import Feedback, Transcript, new_id, utcnow

__all__ = ["TranscriptStore", "StorageError", "STORAGE_ERRORS", "STORAGE_DROPPED", "STORAGE_PENDING", "CHANNELS"]

log = logging.getLogger("vsh.db")

CHANNELS = ("web", "slack", "cli", "eval")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

STORAGE_ERRORS = Counter("vsh_storage_errors_total", "Failed database operations (records are queued).", ["operation"])
STORAGE_DROPPED = Counter("vsh_storage_dropped_total", "Queued records dropped because the retry queue was full.")
STORAGE_PENDING = Gauge("vsh_storage_pending", "Records waiting in the in-memory retry queue.")
for _op in ("transcript", "feedback", "flush", "read"):
    STORAGE_ERRORS.labels(operation=_op)  # export zeros from the start


class StorageError(RuntimeError):
    """The database could not be read."""


@dataclass
class _Pending:
    kind: str  # 'transcript' | 'feedback'
    row: dict[str, Any]
    attempts: int = 0
    queued_at: datetime = field(default_factory=utcnow)


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


def _make_engine(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across process crashes
            cur.close()

        return engine
    return create_engine(u, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=10)


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


class TranscriptStore:
    """Transcripts and feedback in SQLite or PostgreSQL. Thread-safe; one instance per process is enough."""

    def __init__(self, url: str, *, max_pending: int = 10_000) -> None:
        self.url = url
        self._engine = _make_engine(url)
        self._sessions = sessionmaker(self._engine, expire_on_commit=False)
        self._pending: deque[_Pending] = deque()
        self._max_pending = max_pending
        self._lock = threading.Lock()  # guards _pending
        self._flush_lock = threading.Lock()
        # SQLite allows one writer: queue writers here rather than in SQLite's sleeping busy handler
        self._serial_writes = self._engine.url.get_backend_name() == "sqlite"
        self._write_lock = threading.Lock()
        self._flusher: threading.Thread | None = None
        self._stop = threading.Event()
        self.errors = 0
        self.dropped = 0

    # --- accessors --------------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        return self._engine

    @engine.setter
    def engine(self, engine: Engine) -> None:
        """Swap the engine (used by tests to simulate an outage and recovery)."""
        self._engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)

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

    @property
    def pending(self) -> int:
        """Records waiting in the retry queue."""
        return len(self._pending)

    # --- schema -----------------------------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision ('alembic upgrade head')."""
        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self._engine.begin() as conn:
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
        self._write(_Pending("transcript", row))
        return str(row["id"])

    def add_feedback(self, transcript_id: str, helpful: bool, comment: str | None = None, channel: str = "web") -> None:
        """Store feedback on a transcript. Unknown transcript -> KeyError."""
        row = {
            "transcript_id": transcript_id,
            "helpful": bool(helpful),
            "comment": comment or None,
            "channel": channel,
            "created_at": utcnow(),
        }
        item = _Pending("feedback", row)
        with self._lock:
            queued = any(p.kind == "transcript" and p.row["id"] == transcript_id for p in self._pending)
        if queued:  # its transcript is still waiting: keep the order
            self._enqueue(item)
            return
        try:
            with self.session() as s:
                if s.get(Transcript, transcript_id) is None:
                    raise KeyError(transcript_id)
        except (SQLAlchemyError, OSError) as exc:
            self._failed("feedback", exc)
            self._enqueue(item)
            return
        self._write(item)

    def _insert(self, s: Session, item: _Pending) -> None:
        if item.kind == "transcript":
            s.add(Transcript(**item.row))
        else:
            s.add(Feedback(**item.row))

    def _write(self, item: _Pending) -> None:
        if self._pending:
            self.flush()
            if self._pending:
                self._enqueue(item)
                return
        try:
            with self._writing() as s:
                self._insert(s, item)
        except IntegrityError as exc:
            if item.kind == "feedback":
                raise KeyError(item.row["transcript_id"]) from exc
            self._failed(item.kind, exc)
            self._enqueue(item)
        except (SQLAlchemyError, OSError) as exc:
            self._failed(item.kind, exc)
            self._enqueue(item)

    def _failed(self, operation: str, exc: BaseException) -> None:
        self.errors += 1
        STORAGE_ERRORS.labels(operation=operation).inc()
        log.error(
            "storage %s failed on %s (%s: %s); queued for retry (%d pending)",
            operation,
            self.safe_url,
            type(exc).__name__,
            str(exc).splitlines()[0] if str(exc) else "",
            self.pending + 1,
        )

    def _enqueue(self, item: _Pending) -> None:
        with self._lock:
            if len(self._pending) >= self._max_pending:
                lost = self._pending.popleft()
                self.dropped += 1
                STORAGE_DROPPED.inc()
                log.error("retry queue full (%d): dropped a queued %s", self._max_pending, lost.kind)
            self._pending.append(item)
            STORAGE_PENDING.set(len(self._pending))

    def flush(self) -> int:
        """Write queued records in order; stop at the first connection failure. Returns how many landed."""
        if not self._pending or not self._flush_lock.acquire(blocking=False):
            return 0
        written = 0
        try:
            while True:
                with self._lock:
                    if not self._pending:
                        break
                    item = self._pending[0]
                try:
                    with self._writing() as s:
                        self._insert(s, item)
                except IntegrityError as exc:
                    # permanent (duplicate or orphan): retrying would block the queue forever
                    log.error("dropping queued %s: %s", item.kind, type(exc).__name__)
                    STORAGE_ERRORS.labels(operation="flush").inc()
                except (DBAPIError, SQLAlchemyError, OSError) as exc:
                    item.attempts += 1
                    self.errors += 1
                    STORAGE_ERRORS.labels(operation="flush").inc()
                    log.warning("storage still unavailable (%s); %d pending", type(exc).__name__, self.pending)
                    break
                else:
                    written += 1
                with self._lock:
                    if self._pending and self._pending[0] is item:
                        self._pending.popleft()
                    STORAGE_PENDING.set(len(self._pending))
        finally:
            self._flush_lock.release()
        if written:
            log.info("flushed %d queued records (%d pending)", written, self.pending)
        return written

    def start_flusher(self, interval: float = 5.0) -> None:
        """Flush the retry queue every `interval` seconds in a daemon thread."""
        if self._flusher is not None:
            return
        self._stop.clear()

        def loop() -> None:
            while not self._stop.wait(interval):
                try:
                    self.flush()
                except Exception:  # pragma: no cover - never let the thread die
                    log.exception("periodic flush failed")

        self._flusher = threading.Thread(target=loop, name="vsh-store-flusher", daemon=True)
        self._flusher.start()

    def close(self) -> None:
        """Stop the flusher, try a last flush and release connections."""
        self._stop.set()
        if self._flusher is not None:
            self._flusher.join(timeout=5)
            self._flusher = None
        self.flush()
        self._engine.dispose()

    # --- reads ------------------------------------------------------------------------------------

    def _detach(self, t: Transcript) -> Transcript:
        t.created_at = _aware(t.created_at)  # type: ignore[assignment]
        return t

    def get(self, transcript_id: str) -> Transcript | None:
        """One transcript (a queued one too), or None."""
        with self._lock:
            for p in self._pending:
                if p.kind == "transcript" and p.row["id"] == transcript_id:
                    return Transcript(**p.row)
        try:
            with self.session() as s:
                t = s.get(Transcript, transcript_id)
                return self._detach(t) if t is not None else None
        except (SQLAlchemyError, OSError) as exc:
            raise StorageError(f"database unavailable: {type(exc).__name__}") from exc

    def feedback_for(self, transcript_id: str) -> list[Feedback]:
        """Feedback stored for a transcript, oldest first."""
        with self.session() as s:
            rows = s.scalars(
                select(Feedback).where(Feedback.transcript_id == transcript_id).order_by(Feedback.id)
            ).all()
            return list(rows)

    def conversation(self, conversation_id: str) -> Conversation | None:
        """The conversation rebuilt from its stored (and queued) transcripts in order; None if unknown."""
        with self._lock:
            queued = [
                Transcript(**p.row)
                for p in self._pending
                if p.kind == "transcript" and p.row["conversation_id"] == conversation_id
            ]
        try:
            with self.session() as s:
                stored = list(
                    s.scalars(
                        select(Transcript)
                        .where(Transcript.conversation_id == conversation_id)
                        .order_by(Transcript.created_at)
                    ).all()
                )
        except (SQLAlchemyError, OSError) as exc:
            if queued:
                stored = []
            else:
                raise StorageError(f"database unavailable: {type(exc).__name__}") from exc
        seen = {t.id for t in stored}
        rows = stored + [t for t in queued if t.id not in seen]
        if not rows:
            return None
        return Conversation(id=conversation_id, turns=[turn_from(t) for t in rows])

    def has_external_ref(self, ref: str) -> bool:
        """True when a transcript with this external reference (e.g. a Slack event id) exists or is queued."""
        with self._lock:
            if any(p.kind == "transcript" and p.row.get("external_ref") == ref for p in self._pending):
                return True
        try:
            with self.session() as s:
                return s.scalar(select(Transcript.id).where(Transcript.external_ref == ref).limit(1)) is not None
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
        """How many transcripts are stored (queued ones not included)."""
        q = select(func.count()).select_from(Transcript)
        if channel is not None:
            q = q.where(Transcript.channel == channel)
        if run_id is not None:
            q = q.where(Transcript.run_id == run_id)
        with self.session() as s:
            return int(s.scalar(q) or 0)
