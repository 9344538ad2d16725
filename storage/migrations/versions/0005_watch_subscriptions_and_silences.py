"""Watch subscriptions made in chat and the silences the bot created for alerts.

`watch_subscriptions`: one row per (platform, channel, cluster, namespace) a
person subscribed with `!watch` ("" namespace = every namespace), with the
kinds and reasons it keeps (empty = all). `alert_silences`: each Alertmanager
silence an approved Silence click created, with the alert it was for, so a
silence "until resolved" can be expired when that alert resolves. `alerts.findings`:
the diagnosis of the object an alert names, computed once before its card is
first posted (JSON; None until then), so every redraw shows the same findings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "watch_subscriptions",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(128), primary_key=True),
        sa.Column("cluster", sa.String(128), primary_key=True),
        sa.Column("namespace", sa.String(253), primary_key=True),
        sa.Column("kinds", sa.Text(), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "alert_silences",
        sa.Column("silence_id", sa.String(128), primary_key=True),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("until_resolved", sa.Boolean(), nullable=False),
        sa.Column("created_by", sa.String(256), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expired_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_alert_silences_fingerprint", "alert_silences", ["fingerprint"])
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("findings", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_column("findings")
    op.drop_index("ix_alert_silences_fingerprint", table_name="alert_silences")
    op.drop_table("alert_silences")
    op.drop_table("watch_subscriptions")
