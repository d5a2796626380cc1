"""Per-question lead, cited-gold, citation count and evidence label of evaluation results.

Revision ID: 0003_eval_lead
Revises: 0002_evals
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_eval_lead"
down_revision = "0002_evals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("eval_results") as batch:
        batch.add_column(sa.Column("lead", sa.Float(), nullable=True))
        batch.add_column(sa.Column("cited_gold", sa.Float(), nullable=True))
        batch.add_column(sa.Column("citations", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("evidence", sa.String(20), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("eval_results") as batch:
        batch.drop_column("evidence")
        batch.drop_column("citations")
        batch.drop_column("cited_gold")
        batch.drop_column("lead")
