"""The approval behind each silence the bot created for an alert.

`alert_silences.approval_id`: the approved `am_silence` row that created the
silence. Expiring a silence "until resolved" when its alert resolves finishes
that change; its audit fact names this approval, and the Alertmanager it is
sent to is the one the approval's arguments name. Rows from before are None.
`alert_silences.expiry_done_at`: when Alertmanager confirmed the expiry; a
claim (`expired_at`) without it that has gone stale (its leader died between
the claim and the call) is taken over by the next leader.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("alert_silences") as batch:
        batch.add_column(sa.Column("approval_id", sa.String(16), nullable=True))
        batch.add_column(sa.Column("expiry_done_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alert_silences") as batch:
        batch.drop_column("expiry_done_at")
        batch.drop_column("approval_id")
