"""The schema, written once with SQLAlchemy Core.

The repositories query these `Table` objects; the Alembic migrations spell
the same schema out explicitly (a test compares the two). Changing a table
here without a new migration is a bug. No queries live here.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Index, Integer, MetaData, String, Table, Text

from storage.types import JSONText, UTCDateTime

GENESIS_HASH = "0" * 64

metadata = MetaData()

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias).
BigId = BigInteger().with_variant(Integer(), "sqlite")

identities = Table(
    "identities",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("user_id", String(128), primary_key=True),
    Column("display_name", String(256), nullable=False),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
)

messages = Table(
    "messages",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("platform", String(32), nullable=False),
    Column("channel", String(128), nullable=False),
    Column("thread", String(128), nullable=True),
    Column("user_id", String(128), nullable=False),
    Column("role", String(16), nullable=False),
    Column("content", Text(), nullable=False),
    Column("operation", String(128), nullable=True),
    Column("status", String(32), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)
# Newest-first per user and per conversation: both history queries are index range scans.
Index("ix_messages_user_recent", messages.c.platform, messages.c.user_id, messages.c.id.desc())
Index(
    "ix_messages_conversation",
    messages.c.platform,
    messages.c.channel,
    messages.c.thread,
    messages.c.id.desc(),
)

approvals = Table(
    "approvals",
    metadata,
    Column("id", String(16), primary_key=True),
    Column("state", String(32), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("operation", String(128), nullable=False),
    Column("args", JSONText(), nullable=False),
    Column("args_sha256", String(64), nullable=False),
    Column("safety", String(16), nullable=False),
    Column("requester_platform", String(32), nullable=False),
    Column("requester_id", String(128), nullable=False),
    Column("requester_name", String(256), nullable=False),
    Column("channel", String(128), nullable=False),
    Column("thread", String(128), nullable=True),
    Column("cluster", String(128), nullable=True),
    Column("namespace", String(128), nullable=True),
    Column("target_kind", String(128), nullable=True),
    Column("target_name", String(256), nullable=True),
    Column("binding", JSONText(), nullable=False),
    Column("preview", Text(), nullable=False),
    Column("approvals_needed", Integer(), nullable=False),
    Column("approvers", JSONText(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("request_id", String(64), nullable=False),
    Column("undo_of", String(16), nullable=True),
    Column("decided_by", String(256), nullable=True),
    Column("decided_at", UTCDateTime(), nullable=True),
    Column("reason", Text(), nullable=True),
    Column("executor", String(256), nullable=True),
    Column("started_at", UTCDateTime(), nullable=True),
    Column("finished_at", UTCDateTime(), nullable=True),
    Column("result_status", String(32), nullable=True),
    Column("result_text", Text(), nullable=True),
    Column("undo", JSONText(), nullable=True),
    Column("prior_state", JSONText(), nullable=True),
    Column("requester_groups", JSONText(), nullable=False, server_default="[]"),
)
Index("ix_approvals_state_expires", approvals.c.state, approvals.c.expires_at)
Index("ix_approvals_requester", approvals.c.requester_id, approvals.c.created_at)
Index("ix_approvals_channel", approvals.c.channel, approvals.c.created_at)

audit_events = Table(
    "audit_events",
    metadata,
    Column("seq", BigId, primary_key=True, autoincrement=False),
    Column("ts", String(40), nullable=False),
    Column("event", String(64), nullable=False),
    Column("request_id", String(64), nullable=True),
    Column("platform", String(32), nullable=True),
    Column("user_id", String(128), nullable=True),
    Column("channel", String(128), nullable=True),
    Column("operation", String(128), nullable=True),
    Column("approval_id", String(16), nullable=True),
    Column("status", String(32), nullable=True),
    Column("detail", Text(), nullable=False),  # canonical JSON text, exactly as hashed
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
Index("ix_audit_events_ts", audit_events.c.ts)
Index("ix_audit_events_user", audit_events.c.user_id, audit_events.c.seq)
Index("ix_audit_events_approval", audit_events.c.approval_id)
Index("ix_audit_events_request", audit_events.c.request_id)

# One row (id = 1): the last seq and hash. Every append locks it first, which
# serialises writers across processes and replicas on both databases.
audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=False),
    Column("seq", BigInteger(), nullable=False),
    Column("hash", String(64), nullable=False),
)

processed_events = Table(
    "processed_events",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("event_id", String(256), primary_key=True),
    Column("claimed_at", UTCDateTime(), nullable=False),
)
Index("ix_processed_events_claimed_at", processed_events.c.claimed_at)

channel_settings = Table(
    "channel_settings",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("channel", String(128), primary_key=True),
    Column("cluster", String(128), nullable=True),
    Column("namespace", String(128), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)


# Where each platform posted an approval's card (adapters update it in place, also after a restart).
approval_cards = Table(
    "approval_cards",
    metadata,
    Column("approval_id", String(16), primary_key=True),
    Column("platform", String(32), primary_key=True),
    Column("ref", JSONText(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# One row per running bot process: the reconciler leaves alone what a live process owns.
instances = Table(
    "instances",
    metadata,
    Column("id", String(256), primary_key=True),
    Column("host", String(256), nullable=False),
    Column("pid", Integer(), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("lease_until", UTCDateTime(), nullable=False),
)

# One row (id = 1) naming this installation (written when a store first opens the database).
installation = Table(
    "installation",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=False),
    Column("installation_id", String(64), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("genesis_hash", String(64), nullable=True),  # the hash of audit row 1, once written
)

# Alertmanager alerts, one row per fingerprint (any replica's receiver writes; duplicates change nothing).
alerts = Table(
    "alerts",
    metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("status", String(16), nullable=False),  # firing | resolved
    Column("alertname", String(256), nullable=False),
    Column("labels", JSONText(), nullable=False),
    Column("annotations", JSONText(), nullable=False),
    Column("starts_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=True),
    Column("generator_url", Text(), nullable=True),
    Column("acknowledged_by", String(256), nullable=True),
    Column("acknowledged_at", UTCDateTime(), nullable=True),
    Column("received_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("findings", JSONText(), nullable=True),  # the labelled object's diagnosis, before the first post
)
Index("ix_alerts_updated_at", alerts.c.updated_at)
Index("ix_alerts_status", alerts.c.status)

# What the cluster watch found, one row per (cluster, kind, namespace, name, reason).
watch_signals = Table(
    "watch_signals",
    metadata,
    Column("cluster", String(128), primary_key=True),
    Column("kind", String(64), primary_key=True),
    Column("namespace", String(253), primary_key=True),  # "" for cluster-scoped objects
    Column("name", String(253), primary_key=True),
    Column("reason", String(128), primary_key=True),
    Column("resource", String(32), nullable=False),  # the watch that reports it
    Column("state", String(16), nullable=False),  # firing | recovered
    Column("count", Integer(), nullable=False),
    Column("message", Text(), nullable=False),
    Column("sources", JSONText(), nullable=False),  # [[reporting object uid, its own count], ...]
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("last_seen", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("version", Integer(), nullable=False),
)
Index("ix_watch_signals_active", watch_signals.c.cluster, watch_signals.c.resource, watch_signals.c.state)

# One card per (place, subject): an alert, a signal or a flood summary; `ref` is the surface's own.
notification_cards = Table(
    "notification_cards",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("channel", String(128), primary_key=True),
    Column("subject", String(512), primary_key=True),
    Column("ref", JSONText(), nullable=True),  # None until posted
    Column("count", Integer(), nullable=False),
    Column("state", String(16), nullable=False),
    Column("version", Integer(), nullable=False),
    Column("claimed_by", String(256), nullable=False),
    Column("claimed_at", UTCDateTime(), nullable=False),
    Column("posted_at", UTCDateTime(), nullable=True),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Where each watch resumes: the last resourceVersion the leader handled.
watch_positions = Table(
    "watch_positions",
    metadata,
    Column("cluster", String(128), primary_key=True),
    Column("resource", String(320), primary_key=True),
    Column("resource_version", String(64), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Watch subscriptions made in chat (`!watch`): "" namespace = every namespace; empty kinds/reasons = all.
watch_subscriptions = Table(
    "watch_subscriptions",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("channel", String(128), primary_key=True),
    Column("cluster", String(128), primary_key=True),
    Column("namespace", String(253), primary_key=True),
    Column("kinds", JSONText(), nullable=False),  # ["Pod", "Node", ...]
    Column("reasons", JSONText(), nullable=False),  # ["CrashLoopBackOff", ...]
    Column("created_by", String(256), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# Alertmanager silences an approved Silence click created; "until resolved" ones are expired on resolve.
alert_silences = Table(
    "alert_silences",
    metadata,
    Column("silence_id", String(128), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("until_resolved", Boolean(), nullable=False),
    Column("created_by", String(256), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("ends_at", UTCDateTime(), nullable=False),
    Column("expired_at", UTCDateTime(), nullable=True),
    Column("approval_id", String(16), nullable=True),  # the approved am_silence row (0006)
    Column("expiry_done_at", UTCDateTime(), nullable=True),  # Alertmanager confirmed the expiry (0006)
)
Index("ix_alert_silences_fingerprint", alert_silences.c.fingerprint)
