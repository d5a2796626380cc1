"""Transcript storage shared by the web, Slack and evaluation layers.

`TranscriptStore(url)` wraps a SQLAlchemy engine (SQLite file or PostgreSQL); `migrate()` runs the
Alembic migrations in `bots/db/migrations` programmatically (first revision "0001_transcripts").
"""

from bots.db.models import Base, Feedback, Transcript
from bots.db.store import STORAGE_ERRORS, TranscriptStore

__all__ = ["Base", "Feedback", "STORAGE_ERRORS", "Transcript", "TranscriptStore"]
