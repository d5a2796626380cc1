"""Evaluation runs, results, annotations and reviewer accounts.

Revision ID: 0002_evals
Revises: 0001_transcripts
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_evals"
down_revision = "0001_transcripts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "eval_runs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("set_path", sa.Text(), nullable=False),
        sa.Column("set_hash", sa.String(32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("settings_json", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("index_version", sa.String(100), nullable=False),
        sa.Column("git_commit", sa.String(64), nullable=False),
        sa.Column("summary_json", sa.Text(), nullable=False),
    )
    op.create_index("ix_eval_runs_started_at", "eval_runs", ["started_at"])
    op.create_table(
        "eval_results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(32), sa.ForeignKey("eval_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("question_id", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(64), nullable=False),
        sa.Column("answerable", sa.Boolean(), nullable=False),
        sa.Column("transcript_id", sa.String(32), sa.ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("declined", sa.Boolean(), nullable=False),
        sa.Column("recall", sa.Float(), nullable=True),
        sa.Column("reciprocal_rank", sa.Float(), nullable=True),
        sa.Column("citation_precision", sa.Float(), nullable=True),
        sa.Column("fact_coverage", sa.Float(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Column("question_json", sa.Text(), nullable=False),
        sa.UniqueConstraint("run_id", "question_id"),
    )
    op.create_index("ix_eval_results_run_id", "eval_results", ["run_id"])
    op.create_index("ix_eval_results_topic", "eval_results", ["topic"])
    op.create_index("ix_eval_results_transcript_id", "eval_results", ["transcript_id"])
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("transcript_id", sa.String(32), sa.ForeignKey("transcripts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("reviewer", sa.String(100), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_annotations_transcript_id", "annotations", ["transcript_id"])
    op.create_table(
        "reviewers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("reviewers")
    op.drop_index("ix_annotations_transcript_id", table_name="annotations")
    op.drop_table("annotations")
    for name in ("transcript_id", "topic", "run_id"):
        op.drop_index(f"ix_eval_results_{name}", table_name="eval_results")
    op.drop_table("eval_results")
    op.drop_index("ix_eval_runs_started_at", table_name="eval_runs")
    op.drop_table("eval_runs")
