"""Transcript storage shared by the channels (web, Slack) and the evaluations.

`TranscriptStore(url)` (`storage.store`) records answers and feedback in a SQLite file or PostgreSQL through
`TranscriptRepository` (`storage.repository`, plain SQLAlchemy access) and keeps what could not be written in
a `WriteBehindQueue` (`storage.queue`) until the database is back. `migrate()` runs the Alembic migrations in
`storage/migrations` (one chain for every table: "0001_transcripts", "0002_evals", "0003_eval_lead", "0004_session_version",
"0005_approved_answers"). Approved answers (`storage.approved`) are served again by `StoredApprovedAnswers`.
"""

from storage.approved import ApprovedAnswer, StoredApprovedAnswers, approved_answers_for
from storage.models import Base, Feedback, Transcript, new_id, utcnow
from storage.queue import STORAGE_DROPPED, STORAGE_ERRORS, STORAGE_PENDING, WriteBehindQueue
from storage.repository import CHANNELS, StorageError, TranscriptRepository
from storage.store import TranscriptStore

__all__ = [
    "ApprovedAnswer",
    "StoredApprovedAnswers",
    "approved_answers_for",
    "Base",
    "CHANNELS",
    "Feedback",
    "STORAGE_DROPPED",
    "STORAGE_ERRORS",
    "STORAGE_PENDING",
    "StorageError",
    "Transcript",
    "TranscriptRepository",
    "TranscriptStore",
    "WriteBehindQueue",
    "new_id",
    "utcnow",
]
