"""Plain records that cross the storage boundary.

Storage returns these frozen dataclasses, never ORM rows or SQLAlchemy
objects, so the core never imports SQLAlchemy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any


class ApprovalState(enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    EXECUTING = "executing"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    OUTCOME_UNKNOWN = "outcome_unknown"
    DENIED = "denied"
    CANCELLED = "cancelled"
    EXPIRED = "expired"

    @property
    def is_final(self) -> bool:
        return self not in (ApprovalState.PENDING, ApprovalState.APPROVED, ApprovalState.EXECUTING)


@dataclasses.dataclass(frozen=True)
class Approver:
    platform: str
    user_id: str
    name: str
    at: dt.datetime


@dataclasses.dataclass(frozen=True)
class NewApproval:
    """What the executor files when a change needs a person's approval."""

    operation: str
    args: Mapping[str, Any]  # normalised, JSON-serialisable
    args_sha256: str
    safety: str
    requester_platform: str
    requester_id: str
    requester_name: str
    channel: str
    thread: str | None
    cluster: str | None
    namespace: str | None
    target_kind: str | None
    target_name: str | None
    binding: Mapping[str, str]
    preview: str
    approvals_needed: int
    expires_at: dt.datetime
    request_id: str
    undo_of: str | None = None
    requester_groups: tuple[str, ...] = ()  # the requester's memberships (older rows: bare group ids)


@dataclasses.dataclass(frozen=True)
class ApprovalRecord:
    id: str
    state: ApprovalState
    version: int
    operation: str
    args: Mapping[str, Any]
    args_sha256: str
    safety: str
    requester_platform: str
    requester_id: str
    requester_name: str
    channel: str
    thread: str | None
    cluster: str | None
    namespace: str | None
    target_kind: str | None
    target_name: str | None
    binding: Mapping[str, str]
    preview: str
    approvals_needed: int
    approvers: tuple[Approver, ...]
    created_at: dt.datetime
    expires_at: dt.datetime
    request_id: str
    undo_of: str | None
    decided_by: str | None
    decided_at: dt.datetime | None
    reason: str | None
    executor: str | None
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result_status: str | None
    result_text: str | None
    undo: Mapping[str, Any] | None
    prior_state: Mapping[str, Any] | None
    requester_groups: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class NewMessage:
    """One history row to write: what a person said, what the bot answered, or a note of the agent's.

    Callers redact `content` first; storage checks `role` and stamps the time.
    """

    platform: str
    channel: str
    thread: str | None
    user_id: str
    role: str  # user | assistant | tool | system
    content: str
    operation: str | None = None
    status: str | None = None


@dataclasses.dataclass(frozen=True)
class MessageRecord:
    id: int
    platform: str
    channel: str
    thread: str | None
    user_id: str
    role: str  # user | assistant | tool | system
    content: str
    operation: str | None
    status: str | None
    created_at: dt.datetime


@dataclasses.dataclass(frozen=True)
class MessageHead:
    """A history row without its content: enough to tell a row already read from a new one.

    Ids alone are not enough: SQLite may give a deleted row's id to the next row, so
    `stamp` is the time it was written, as the database spells it."""

    id: int
    stamp: str


@dataclasses.dataclass(frozen=True)
class HistoryWindow:
    """One user's rows among a conversation's newest ones, oldest first, and those not known yet in full."""

    heads: tuple[MessageHead, ...]
    new: tuple[MessageRecord, ...]


@dataclasses.dataclass(frozen=True)
class AuditEvent:
    """One audit fact before it is chained. Secret values never go in here."""

    event: str
    request_id: str | None = None
    platform: str | None = None
    user_id: str | None = None
    channel: str | None = None
    operation: str | None = None
    approval_id: str | None = None
    status: str | None = None
    detail: Mapping[str, Any] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class AuditRecord:
    seq: int
    ts: str  # ISO-8601 UTC with microseconds, as hashed
    event: str
    request_id: str | None
    platform: str | None
    user_id: str | None
    channel: str | None
    operation: str | None
    approval_id: str | None
    status: str | None
    detail: Mapping[str, Any]
    prev_hash: str
    hash: str


@dataclasses.dataclass(frozen=True)
class AuditFilter:
    user_id: str | None = None
    channel: str | None = None
    since: str | None = None  # ISO timestamp, inclusive
    until: str | None = None  # ISO timestamp, exclusive
    status: str | None = None
    operation: str | None = None
    event: str | None = None
    limit: int | None = None
    platform: str | None = None
    events: tuple[str, ...] = ()  # any of these events (with `event`, both must hold)


@dataclasses.dataclass(frozen=True)
class VerifyReport:
    ok: bool
    rows_checked: int
    first_bad_seq: int | None = None
    problem: str | None = None


@dataclasses.dataclass(frozen=True)
class ChannelSettings:
    platform: str
    channel: str
    cluster: str | None
    namespace: str | None
