"""Initial schema: identities, history, approvals, audit chain, event dedup, channel settings.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS_HASH = "0" * 64
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def ts(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.String(128), primary_key=True),
        sa.Column("display_name", sa.String(256), nullable=False),
        ts("first_seen"),
        ts("last_seen"),
    )

    op.create_table(
        "messages",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("thread", sa.String(128), nullable=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("operation", sa.String(128), nullable=True),
        sa.Column("status", sa.String(32), nullable=True),
        ts("created_at"),
    )
    op.create_index("ix_messages_user_recent", "messages", ["platform", "user_id", sa.text("id DESC")])
    op.create_index(
        "ix_messages_conversation", "messages", ["platform", "channel", "thread", sa.text("id DESC")]
    )

    op.create_table(
        "approvals",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("operation", sa.String(128), nullable=False),
        sa.Column("args", sa.Text(), nullable=False),
        sa.Column("args_sha256", sa.String(64), nullable=False),
        sa.Column("safety", sa.String(16), nullable=False),
        sa.Column("requester_platform", sa.String(32), nullable=False),
        sa.Column("requester_id", sa.String(128), nullable=False),
        sa.Column("requester_name", sa.String(256), nullable=False),
        sa.Column("channel", sa.String(128), nullable=False),
        sa.Column("thread", sa.String(128), nullable=True),
        sa.Column("cluster", sa.String(128), nullable=True),
        sa.Column("namespace", sa.String(128), nullable=True),
        sa.Column("target_kind", sa.String(128), nullable=True),
        sa.Column("target_name", sa.String(256), nullable=True),
        sa.Column("binding", sa.Text(), nullable=False),
        sa.Column("preview", sa.Text(), nullable=False),
        sa.Column("approvals_needed", sa.Integer(), nullable=False),
        sa.Column("approvers", sa.Text(), nullable=False),
        ts("created_at"),
        ts("expires_at"),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("undo_of", sa.String(16), nullable=True),
        sa.Column("decided_by", sa.String(256), nullable=True),
        ts("decided_at", nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("executor", sa.String(256), nullable=True),
        ts("started_at", nullable=True),
        ts("finished_at", nullable=True),
        sa.Column("result_status", sa.String(32), nullable=True),
        sa.Column("result_text", sa.Text(), nullable=True),
        sa.Column("undo", sa.Text(), nullable=True),
        sa.Column("prior_state", sa.Text(), nullable=True),
    )
    op.create_index("ix_approvals_state_expires", "approvals", ["state", "expires_at"])
    op.create_index("ix_approvals_requester", "approvals", ["requester_id", "created_at"])
    op.create_index("ix_approvals_channel", "approvals", ["channel", "created_at"])

    op.create_table(
        "audit_events",
        sa.Column("seq", BigId, primary_key=True, autoincrement=False),
        sa.Column("ts", sa.String(40), nullable=False),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("request_id", sa.String(64), nullable=True),
        sa.Column("platform", sa.String(32), nullable=True),
        sa.Column("user_id", sa.String(128), nullable=True),
        sa.Column("channel", sa.String(128), nullable=True),
        sa.Column("operation", sa.String(128), nullable=True),
        sa.Column("approval_id", sa.String(16), nullable=True),
        sa.Column("status", sa.String(32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_audit_events_ts", "audit_events", ["ts"])
    op.create_index("ix_audit_events_user", "audit_events", ["user_id", "seq"])
    op.create_index("ix_audit_events_approval", "audit_events", ["approval_id"])
    op.create_index("ix_audit_events_request", "audit_events", ["request_id"])

    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])

    op.create_table(
        "processed_events",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("event_id", sa.String(256), primary_key=True),
        ts("claimed_at"),
    )
    op.create_index("ix_processed_events_claimed_at", "processed_events", ["claimed_at"])

    op.create_table(
        "channel_settings",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(128), primary_key=True),
        sa.Column("cluster", sa.String(128), nullable=True),
        sa.Column("namespace", sa.String(128), nullable=True),
        ts("updated_at"),
    )


def downgrade() -> None:
    for table in (
        "channel_settings",
        "processed_events",
        "audit_head",
        "audit_events",
        "approvals",
        "messages",
        "identities",
    ):
        op.drop_table(table)
