"""The audit writer: the executor's only way to append to the audit trail.

Every detail goes through redaction before it is chained; a failed append
raises `AuditUnavailable` so the caller can fail closed.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from storage.approvals import PreparedApproval
from storage.records import AuditEvent, AuditRecord
from storage.store import Store
from tools.redact import redact_mapping_for_log

log = logging.getLogger(__name__)

MAX_DETAIL_TEXT = 4000


class AuditUnavailable(Exception):
    pass


def _cap(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_DETAIL_TEXT:
        return value[:MAX_DETAIL_TEXT] + f"… ({len(value) - MAX_DETAIL_TEXT} chars cut)"
    return value


AuditListener = Callable[[AuditRecord], None]


# Facts that only describe a request on its way; they are written together with the next
# fact that matters (execution started, approval requested, reply sent…), in one transaction.
DEFERRABLE = frozenset(
    {"message.received", "command.parsed", "operation.proposed", "policy.decided", "button.clicked"}
)


@dataclasses.dataclass
class _Open:
    """What an open request has not committed yet."""

    events: list[AuditEvent] = dataclasses.field(default_factory=list)
    messages: list[Mapping[str, Any]] = dataclasses.field(default_factory=list)
    approvals: list[PreparedApproval] = dataclasses.field(default_factory=list)


class Auditor:
    """Chains audit facts; a request's descriptive facts ride along with its next essential one.

    Nothing runs and no reply leaves before the facts before it are committed:
    every essential fact (and anything else not in DEFERRABLE) flushes the
    request's waiting facts first, in order, in the same transaction.

    The executor also defers what changes nothing: a read's facts, and a new
    approval row with its `approval.requested` fact (nobody can see or click
    it before the reply that carries its card has committed both). So a
    question that reads and proposes commits once, with its reply; running an
    approved change never waits on a deferred write, it commits first.
    """

    def __init__(self, store: Store, *, listeners: Sequence[AuditListener] = ()) -> None:
        self._store = store
        self._listeners = tuple(listeners)  # told of every committed row (webhooks)
        self._open: dict[str, _Open] = {}

    def begin(self, request_id: str) -> None:
        """A request whose end is certain to call `flush` (the router's): its facts may wait."""
        self._open.setdefault(request_id, _Open())

    async def defer_message(self, request_id: str, message: Mapping[str, Any]) -> None:
        """A history row written with the request's next essential fact (or at its end)."""
        pending = self._open.get(request_id)
        if pending is not None:
            pending.messages.append(dict(message))
        else:
            await self._store.append_message(**message)

    async def record(
        self,
        event: str,
        *,
        request_id: str | None = None,
        platform: str | None = None,
        user_id: str | None = None,
        channel: str | None = None,
        operation: str | None = None,
        approval_id: str | None = None,
        status: str | None = None,
        detail: Mapping[str, Any] | None = None,
        message: Mapping[str, Any] | None = None,
        approval: PreparedApproval | None = None,
        defer: bool = False,
    ) -> AuditRecord | None:
        """Chain one fact. `message` (a history row) and `approval` (a new approval row)
        are written in the same transaction.

        `defer` (or an event in DEFERRABLE) lets the fact (and its approval row) wait for
        the request's next essential fact; that applies only to an open request,
        otherwise the fact is committed before this returns.
        """
        clean = {k: _cap(v) for k, v in redact_mapping_for_log(dict(detail or {})).items()}
        fact = AuditEvent(
            event=event,
            request_id=request_id,
            platform=platform,
            user_id=user_id,
            channel=channel,
            operation=operation,
            approval_id=approval_id,
            status=status,
            detail=clean,
        )
        approvals = [approval] if approval is not None else []
        pending = self._open.get(request_id) if request_id is not None else None
        if pending is None:
            rows = await self._append([fact], messages=[message] if message else [], approvals=approvals)
            return rows[-1]
        if (defer or event in DEFERRABLE) and message is None:
            pending.events.append(fact)
            pending.approvals.extend(approvals)
            return None
        events, messages = [*pending.events, fact], [*pending.messages, *([message] if message else [])]
        approvals = [*pending.approvals, *approvals]
        pending.events, pending.messages, pending.approvals = [], [], []
        rows = await self._append(events, messages=messages, approvals=approvals)
        return rows[-1]

    async def flush(self, request_id: str) -> None:
        """Write what a request still has waiting (its end, or its failure)."""
        pending = self._open.pop(request_id, None)
        if pending is None:
            return
        if pending.events:
            await self._append(pending.events, messages=pending.messages, approvals=pending.approvals)
        else:
            for message in pending.messages:
                await self._store.append_message(**message)

    def discard(self, request_id: str) -> None:
        self._open.pop(request_id, None)

    async def _append(
        self,
        events: list[AuditEvent],
        *,
        messages: Sequence[Mapping[str, Any]] = (),
        approvals: Sequence[PreparedApproval] = (),
    ) -> list[AuditRecord]:
        try:
            rows = await self._store.append_audit_many(events, messages=messages, approvals=approvals)
        except Exception as e:  # the audit trail is a boundary: fail closed upstream
            log.error("audit append failed for %s: %s", events[-1].event, type(e).__name__)
            raise AuditUnavailable(f"the audit trail could not be written ({type(e).__name__})") from e
        for row in rows:
            for listener in self._listeners:
                try:
                    listener(row)
                except Exception:  # a listener (webhooks) must never break the request
                    log.exception("audit listener failed")
        return rows
