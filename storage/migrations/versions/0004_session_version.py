"""Reviewer session version: bumping it revokes every session of that reviewer at once.

Revision ID: 0004_session_version
Revises: 0003_eval_lead
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_session_version"
down_revision = "0003_eval_lead"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviewers") as batch:
        batch.add_column(sa.Column("session_version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("reviewers") as batch:
        batch.drop_column("session_version")
