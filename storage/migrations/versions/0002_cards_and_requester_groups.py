"""Approval card locations per platform; the requester's groups on each approval.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "approval_cards",
        sa.Column("approval_id", sa.String(16), primary_key=True),
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("ref", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(sa.Column("requester_groups", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.drop_column("requester_groups")
    op.drop_table("approval_cards")
