"""`Store`: the storage API the core calls, composed from one repository per concept.

Every method is async, runs in its own committed transaction and returns
`storage.records` dataclasses, never ORM rows. Errors come out as
`StorageError` / `StorageUnavailable` with a readable message. The store holds
no policy: it keeps what the core decides and answers what it asks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection

from storage.alerts import Alerts
from storage.approvals import Approvals, PreparedApproval, prepare_approval
from storage.audit import Audit
from storage.cards import Cards
from storage.channels import KEEP, Channels, Keep
from storage.database import Database, open_database
from storage.events import Events
from storage.history import History, messages_writer
from storage.identities import Identities
from storage.installation import Installation
from storage.instances import Instances
from storage.leadership import Leadership
from storage.migrate import upgrade_database
from storage.notifications import Notifications
from storage.records import (
    ApprovalRecord,
    ApprovalState,
    Approver,
    AuditEvent,
    AuditFilter,
    AuditRecord,
    ChannelSettings,
    HistoryWindow,
    MessageRecord,
    NewApproval,
    NewMessage,
    VerifyReport,
)
from storage.signals import Signals
from storage.silences import AlertSilences
from storage.watch_positions import WatchPositions
from storage.watch_subscriptions import WatchSubscriptions


class Store:
    def __init__(self, database: Database, *, audit_key: bytes | None = None) -> None:
        self.database = database
        self.identities = Identities(database)
        self.events = Events(database)
        self.history = History(database)
        self.approvals = Approvals(database)
        self.audit = Audit(database, key=audit_key)
        self._audit_writer = self.audit.group_commit()
        self.channels = Channels(database)
        self.cards = Cards(database)
        self.leadership = Leadership(database)
        self.instances = Instances(database)
        self.installation = Installation(database)
        # Alerts and the cluster watch (bot/alerts): repositories used directly.
        self.alerts = Alerts(database)
        self.signals = Signals(database)
        self.notifications = Notifications(database)
        self.watch_positions = WatchPositions(database)
        self.watch_subscriptions = WatchSubscriptions(database)
        self.silences = AlertSilences(database)

    @classmethod
    async def open(cls, url: str, *, audit_key: bytes | None = None, migrate: bool = True) -> Store:
        """Open the database (and bring its schema to head unless `migrate=False`)."""
        database = await open_database(url)
        try:
            if migrate:
                await upgrade_database(database)
            else:
                await database.ping()
            store = cls(database, audit_key=audit_key)
            if migrate:
                await store.installation.ensure()
        except BaseException:
            await database.close()
            raise
        return store

    async def close(self) -> None:
        await self.leadership.release()
        await self.database.close()

    async def ping(self) -> None:
        await self.database.ping()

    # identities
    async def upsert_identity(self, *, platform: str, user_id: str, display_name: str) -> None:
        await self.identities.upsert(platform=platform, user_id=user_id, display_name=display_name)

    # processed chat events
    async def claim_event(self, *, platform: str, event_id: str) -> bool:
        return await self.events.claim(platform=platform, event_id=event_id)

    async def prune_events(self, older_than: dt.datetime) -> int:
        return await self.events.prune(older_than)

    # history
    async def append_message(self, message: NewMessage) -> int:
        return await self.history.append(message)

    async def recent_for_user(self, *, platform: str, user_id: str, limit: int = 20) -> list[MessageRecord]:
        return await self.history.recent_for_user(platform=platform, user_id=user_id, limit=limit)

    async def conversation(
        self, *, platform: str, channel: str, thread: str | None, limit: int = 50
    ) -> list[MessageRecord]:
        return await self.history.conversation(platform=platform, channel=channel, thread=thread, limit=limit)

    async def conversation_window(
        self,
        *,
        platform: str,
        channel: str,
        thread: str | None,
        user_id: str,
        roles: Collection[str],
        limit: int,
        known: Mapping[int, str],
    ) -> HistoryWindow:
        return await self.history.window(
            platform=platform,
            channel=channel,
            thread=thread,
            user_id=user_id,
            roles=roles,
            limit=limit,
            known=known,
        )

    async def forget(self, *, platform: str, user_id: str) -> int:
        return await self.history.forget(platform=platform, user_id=user_id)

    # approvals
    async def create_approval(self, new: NewApproval) -> ApprovalRecord:
        return await self.approvals.create(new)

    @staticmethod
    def prepare_approval(new: NewApproval) -> PreparedApproval:
        """A new row to insert with its audit fact (`append_audit_many(approvals=...)`)."""
        return prepare_approval(new)

    async def get_approval(self, approval_id: str) -> ApprovalRecord | None:
        return await self.approvals.get(approval_id)

    async def add_approver(
        self, *, approval_id: str, expected_version: int, approver: Approver
    ) -> ApprovalRecord | None:
        return await self.approvals.add_approver(
            approval_id=approval_id, expected_version=expected_version, approver=approver
        )

    async def transition(
        self,
        *,
        approval_id: str,
        from_state: ApprovalState,
        to_state: ApprovalState,
        expected_version: int | None = None,
        **fields: object,
    ) -> ApprovalRecord | None:
        return await self.approvals.transition(
            approval_id=approval_id,
            from_state=from_state,
            to_state=to_state,
            expected_version=expected_version,
            **fields,
        )

    async def list_approvals(
        self,
        *,
        states: Sequence[ApprovalState] | None = None,
        requester_id: str | None = None,
        channel: str | None = None,
        limit: int = 50,
    ) -> list[ApprovalRecord]:
        return await self.approvals.list_approvals(
            states=states, requester_id=requester_id, channel=channel, limit=limit
        )

    async def expire_due(self, now: dt.datetime) -> list[ApprovalRecord]:
        return await self.approvals.expire_due(now)

    async def executing(self) -> list[ApprovalRecord]:
        return await self.approvals.executing()

    async def in_flight(self) -> list[ApprovalRecord]:
        return await self.approvals.in_flight()

    # audit
    async def append_audit(self, event: AuditEvent) -> AuditRecord:
        return await self._audit_writer.append(event)

    async def append_audit_many(
        self,
        events: Sequence[AuditEvent],
        *,
        messages: Sequence[NewMessage] = (),
        approvals: Sequence[PreparedApproval] = (),
    ) -> list[AuditRecord]:
        """Chain `events`; `approvals` (from `prepare_approval`) and `messages` (history rows)
        are inserted in the same transaction."""
        also: list[Callable[[Connection], object]] = [a.write for a in approvals]
        if messages:
            also.append(messages_writer(messages))
        return await self._audit_writer.append_many(events, also=also)

    async def list_audit(self, f: AuditFilter) -> list[AuditRecord]:
        return await self.audit.list_audit(f)

    async def get_audit(self, seq: int) -> AuditRecord | None:
        return await self.audit.get(seq)

    async def verify_audit(self) -> VerifyReport:
        """The chain's own hashes, then whether it is this installation's chain at all."""
        report = await self.audit.verify()
        if not report.ok:
            return report
        problem = await self.installation.check()
        if problem is not None:
            return VerifyReport(ok=False, rows_checked=report.rows_checked, first_bad_seq=1, problem=problem)
        return report

    # channel settings
    async def remember_card(self, *, approval_id: str, platform: str, ref: Mapping[str, Any]) -> None:
        await self.cards.remember(approval_id=approval_id, platform=platform, ref=ref)

    async def card_ref(self, *, approval_id: str, platform: str) -> dict[str, Any] | None:
        return await self.cards.lookup(approval_id=approval_id, platform=platform)

    async def get_channel_settings(self, *, platform: str, channel: str) -> ChannelSettings | None:
        return await self.channels.get(platform=platform, channel=channel)

    async def set_channel_settings(
        self,
        *,
        platform: str,
        channel: str,
        cluster: str | Keep | None = KEEP,
        namespace: str | Keep | None = KEEP,
    ) -> ChannelSettings:
        return await self.channels.set(
            platform=platform, channel=channel, cluster=cluster, namespace=namespace
        )
