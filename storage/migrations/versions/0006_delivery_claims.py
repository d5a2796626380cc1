"""Delivery claims: a Slack event (or message) is answered once across every serving process.

Revision ID: 0006_delivery_claims
Revises: 0005_approved_answers
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_delivery_claims"
down_revision = "0005_approved_answers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delivery_claims",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("channel", sa.String(16), nullable=False, server_default="slack"),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_delivery_claims_created_at", "delivery_claims", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_delivery_claims_created_at", table_name="delivery_claims")
    op.drop_table("delivery_claims")
