"""The audit trail as a request sees it: facts whose who and where come from the request.

`RequestAudit` wraps the one `Auditor` of the app: `record(event, ctx, …)`
fills platform, user and channel from the request's context (the `AuditLog`
port of the gate), `record_by_bot` writes a change the bot made on its own
(expiry, the reconciler) under the requester's name, and the request
bookkeeping (`begin`, `defer_message`, `flush`, `discard`) is the auditor's.
It adds no policy and never swallows a failed write: `AuditUnavailable`
reaches the caller, which fails closed.
"""

from __future__ import annotations

from typing import Any

from bot.domain.events import AuditEvent
from bot.domain.outcomes import RequestContext
from bot.gate.audit import Auditor
from storage.records import ApprovalRecord, NewMessage


class RequestAudit:
    def __init__(self, auditor: Auditor) -> None:
        self._auditor = auditor

    async def record(self, event: AuditEvent, ctx: RequestContext, **fields: Any) -> None:
        """Audit a fact of the conversation (message received, reply sent…)."""
        await self._auditor.record(
            event,
            request_id=ctx.request_id,
            platform=ctx.principal.platform,
            user_id=ctx.principal.user_id,
            channel=ctx.channel,
            **fields,
        )

    async def record_by_bot(self, event: AuditEvent, row: ApprovalRecord, *, status: str) -> None:
        """A state change the bot made on its own (expiry, reconciler), on the requester's row."""
        await self._auditor.record(
            event,
            operation=row.operation,
            approval_id=row.id,
            status=status,
            platform=row.requester_platform,
            user_id=row.requester_id,
            channel=row.channel,
        )

    async def record_fact(self, event: AuditEvent, **fields: Any) -> None:
        """A fact outside any conversation (an alert received, a card posted)."""
        await self._auditor.record(event, **fields)

    def begin(self, request_id: str) -> None:
        self._auditor.begin(request_id)

    async def defer_message(self, request_id: str, message: NewMessage) -> None:
        await self._auditor.defer_message(request_id, message)

    async def flush(self, request_id: str) -> None:
        await self._auditor.flush(request_id)

    def discard(self, request_id: str) -> None:
        self._auditor.discard(request_id)
