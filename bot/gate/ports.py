"""What the gate needs from outside, as small ports handed over once at start-up (`bot/app.py`).

Each is a `Protocol`: the composition root passes the real thing (the store,
the request audit, the core's notices), a test may pass a fake. Nothing here
holds state or does work; nothing in the gate reaches another module's
dependencies through an object it was given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol

from bot.domain.events import AuditEvent
from bot.domain.outcomes import Outcome, RequestContext
from storage.instances import InstanceRecord
from storage.records import ApprovalRecord, ApprovalState, Approver


class AuditLog(Protocol):
    """Facts of a request, written to the audit trail (who and where come from `ctx`)."""

    async def record(self, event: AuditEvent, ctx: RequestContext, **fields: Any) -> None: ...


class Notifier(Protocol):
    """What the requester hears about a change after the request that filed it has ended.

    The core's delivery services implement it (`bot.conversation.delivery`): progress goes
    into one note edited in place, a notice updates the card and says `text` where the
    conversation is, on the requester's own platform."""

    async def progress(self, record: ApprovalRecord, line: str) -> None: ...

    async def notice(self, record: ApprovalRecord, text: str) -> None: ...


class ApprovalRepository(Protocol):
    """The approval rows (`storage.store.Store`): every change of state is one compare-and-set."""

    async def get_approval(self, approval_id: str) -> ApprovalRecord | None: ...

    async def add_approver(
        self, *, approval_id: str, expected_version: int, approver: Approver
    ) -> ApprovalRecord | None: ...

    async def transition(
        self,
        *,
        approval_id: str,
        from_state: ApprovalState,
        to_state: ApprovalState,
        expected_version: int | None = None,
        **fields: object,
    ) -> ApprovalRecord | None: ...

    async def list_approvals(
        self,
        *,
        states: Sequence[ApprovalState] | None = None,
        requester_id: str | None = None,
        channel: str | None = None,
        limit: int = 50,
    ) -> list[ApprovalRecord]: ...

    async def expire_due(self, now: dt.datetime) -> list[ApprovalRecord]: ...

    async def in_flight(self) -> list[ApprovalRecord]: ...


class InstanceDirectory(Protocol):
    """The lease rows of running bot processes (`storage.instances.Instances`)."""

    async def find(self, ids: Collection[str]) -> dict[str, InstanceRecord]: ...


class OperationGateway(Protocol):
    """The one way into the gate for a request: run, file for approval, suggest or refuse."""

    async def submit(
        self,
        name: str,
        raw: Mapping[str, Any],
        ctx: RequestContext,
        *,
        file_approvals: bool = True,
        timeout_s: float | None = None,
    ) -> Outcome: ...


class BackgroundWork(Protocol):
    """Approved changes still running in the background (long-running operations)."""

    async def drain(self, timeout_s: float) -> int: ...
