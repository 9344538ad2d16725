"""Alerts, cluster-watch signals, notification cards and watch positions.

`alerts`: one row per Alertmanager fingerprint. `watch_signals`: one row per
(cluster, kind, namespace, name, reason) the watch reported. `notification_cards`:
one card per (platform, channel, subject) with the surface's reference.
`watch_positions`: the resourceVersion each watch resumes from.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("alertname", sa.String(256), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("annotations", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("generator_url", sa.Text(), nullable=True),
        sa.Column("acknowledged_by", sa.String(256), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_alerts_updated_at", "alerts", ["updated_at"])
    op.create_index("ix_alerts_status", "alerts", ["status"])
    op.create_table(
        "watch_signals",
        sa.Column("cluster", sa.String(128), primary_key=True),
        sa.Column("kind", sa.String(64), primary_key=True),
        sa.Column("namespace", sa.String(253), primary_key=True),
        sa.Column("name", sa.String(253), primary_key=True),
        sa.Column("reason", sa.String(128), primary_key=True),
        sa.Column("resource", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_watch_signals_active", "watch_signals", ["cluster", "resource", "state"])
    op.create_table(
        "notification_cards",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(128), primary_key=True),
        sa.Column("subject", sa.String(512), primary_key=True),
        sa.Column("ref", sa.Text(), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("claimed_by", sa.String(256), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "watch_positions",
        sa.Column("cluster", sa.String(128), primary_key=True),
        sa.Column("resource", sa.String(320), primary_key=True),
        sa.Column("resource_version", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("watch_positions")
    op.drop_table("notification_cards")
    op.drop_index("ix_watch_signals_active", table_name="watch_signals")
    op.drop_table("watch_signals")
    op.drop_index("ix_alerts_status", table_name="alerts")
    op.drop_index("ix_alerts_updated_at", table_name="alerts")
    op.drop_table("alerts")
