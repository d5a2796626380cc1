"""Approved answers: reviewer, date, question, the answer served and the content hashes of the cited documents.

Revision ID: 0005_approved_answers
Revises: 0004_session_version
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_approved_answers"
down_revision = "0004_session_version"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approved_answers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer_json", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("transcript_id", sa.String(32), sa.ForeignKey("transcripts.id", ondelete="SET NULL"), nullable=True),
        sa.Column("doc_hashes_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("stale_reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_approved_answers_transcript_id", "approved_answers", ["transcript_id"])
    op.create_index("ix_approved_answers_status", "approved_answers", ["status"])
    op.create_index("ix_approved_answers_updated_at", "approved_answers", ["updated_at"])


def downgrade() -> None:
    for name in ("updated_at", "status", "transcript_id"):
        op.drop_index(f"ix_approved_answers_{name}", table_name="approved_answers")
    op.drop_table("approved_answers")
