"""Alembic migrations, run programmatically by `TranscriptStore.migrate()` (no alembic.ini needed)."""
