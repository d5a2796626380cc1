"""Transcripts and feedback.

Revision ID: 0001_transcripts
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_transcripts"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcripts",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("resolved_question", sa.Text(), nullable=True),
        sa.Column("answer_json", sa.Text(), nullable=False),
        sa.Column("answer_text", sa.Text(), nullable=False),
        sa.Column("declined", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.String(16), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("question_type", sa.String(32), nullable=False),
        sa.Column("top_score", sa.Float(), nullable=False),
        sa.Column("citations_json", sa.Text(), nullable=False),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=True),
        sa.Column("external_ref", sa.String(255), nullable=True),
    )
    op.create_index("ix_transcripts_conversation_id", "transcripts", ["conversation_id"])
    op.create_index("ix_transcripts_created_at", "transcripts", ["created_at"])
    op.create_index("ix_transcripts_run_id", "transcripts", ["run_id"])
    op.create_index("ix_transcripts_external_ref", "transcripts", ["external_ref"])
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("transcript_id", sa.String(32), sa.ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feedback_transcript_id", "feedback", ["transcript_id"])


def downgrade() -> None:
    op.drop_index("ix_feedback_transcript_id", table_name="feedback")
    op.drop_table("feedback")
    for name in ("external_ref", "run_id", "created_at", "conversation_id"):
        op.drop_index(f"ix_transcripts_{name}", table_name="transcripts")
    op.drop_table("transcripts")
