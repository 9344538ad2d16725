"""Plain records of alerts, watch signals, notification cards, watch subscriptions and alert silences.

What the alert and watch repositories take and return; frozen dataclasses,
never ORM rows. `Change` says what an idempotent write did: a first sighting
(`NEW`), a real change (`CHANGED`), or a repeat that changed nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Change(enum.Enum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclasses.dataclass(frozen=True)
class Written(Generic[T]):
    change: Change
    record: T


@dataclasses.dataclass(frozen=True)
class AlertInput:
    """One alert of an Alertmanager notification."""

    fingerprint: str
    status: str  # firing | resolved
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: dt.datetime
    ends_at: dt.datetime | None  # None while firing
    generator_url: str | None = None


@dataclasses.dataclass(frozen=True)
class AlertRecord:
    fingerprint: str
    status: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    generator_url: str | None
    acknowledged_by: str | None
    acknowledged_at: dt.datetime | None
    received_at: dt.datetime
    updated_at: dt.datetime
    version: int
    # What the bot found about the object the labels name, stored once per firing before the
    # first post (JSON; its shape is the alerts package's); None until then, and again on a re-fire.
    findings: Mapping[str, Any] | None = None

    @property
    def alertname(self) -> str:
        return str(self.labels.get("alertname", "alert"))


@dataclasses.dataclass(frozen=True)
class SignalInput:
    """What one watched object says about one (cluster, kind, namespace, name, reason)."""

    cluster: str
    kind: str
    namespace: str
    name: str
    reason: str
    resource: str
    firing: bool
    source: str  # uid of the reporting object
    count: int  # that object's own count
    message: str
    at: dt.datetime


@dataclasses.dataclass(frozen=True)
class SignalRecord:
    cluster: str
    kind: str
    namespace: str
    name: str
    reason: str
    resource: str
    state: str  # firing | recovered
    count: int
    message: str
    first_seen: dt.datetime
    last_seen: dt.datetime
    version: int

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.cluster, self.kind, self.namespace, self.name, self.reason)


@dataclasses.dataclass(frozen=True)
class WatchSubscription:
    """A place subscribed with `!watch`: "" namespace = every namespace; empty kinds/reasons = all."""

    platform: str
    channel: str
    cluster: str
    namespace: str
    kinds: tuple[str, ...]  # Kubernetes kinds: Pod, Node, ...
    reasons: tuple[str, ...]  # CrashLoopBackOff, BackOff, ...
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


class Claim(enum.Enum):
    NEW = "new"  # this caller posts the card
    POSTED = "posted"  # the card exists: update it in place
    BUSY = "busy"  # another live process is posting it right now


@dataclasses.dataclass(frozen=True)
class CardRecord:
    platform: str
    channel: str
    subject: str
    ref: Mapping[str, Any] | None
    count: int
    state: str
    version: int
    claimed_by: str
    claimed_at: dt.datetime
    posted_at: dt.datetime | None


@dataclasses.dataclass(frozen=True)
class SilenceRecord:
    """An Alertmanager silence the bot created for one alert (by an approved `am_silence`)."""

    silence_id: str
    fingerprint: str
    until_resolved: bool  # expired by the leader when the alert resolves
    created_by: str
    created_at: dt.datetime
    ends_at: dt.datetime
    expired_at: dt.datetime | None = None
    approval_id: str | None = None

    def is_active(self, now: dt.datetime) -> bool:
        return self.expired_at is None and self.ends_at > now
