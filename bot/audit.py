"""The audit writer: the executor's only way to append to the audit trail.

Every detail goes through redaction before it is chained; a failed append
raises `AuditUnavailable` so the caller can fail closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

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


class Auditor:
    """Chains audit facts; a request's descriptive facts ride along with its next essential one.

    Nothing runs and no reply leaves before the facts before it are committed:
    every essential fact (and anything else not in DEFERRABLE) flushes the
    request's waiting facts first, in order, in the same transaction.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self.listeners: list[AuditListener] = []
        self._waiting: dict[str, list[AuditEvent]] = {}
        self._waiting_messages: dict[str, list[Mapping[str, Any]]] = {}
        self._open: set[str] = set()

    def begin(self, request_id: str) -> None:
        """A request whose end is certain to call `flush` (the router's): its facts may wait."""
        self._open.add(request_id)

    async def defer_message(self, request_id: str, message: Mapping[str, Any]) -> None:
        """A history row written with the request's next essential fact (or at its end)."""
        if request_id in self._open:
            self._waiting_messages.setdefault(request_id, []).append(dict(message))
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
        defer: bool = False,
    ) -> AuditRecord | None:
        """Chain one fact. `message` (a history row) is written in the same transaction.

        `defer` (or an event in DEFERRABLE) lets the fact wait for the request's next
        essential fact; the router writes whatever still waits before the reply leaves.
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
        may_wait = request_id is not None and request_id in self._open and message is None
        if may_wait and request_id is not None and (defer or event in DEFERRABLE):
            self._waiting.setdefault(request_id, []).append(fact)
            return None
        events, messages = [fact], [message] if message is not None else []
        if request_id is not None:
            events = [*self._waiting.pop(request_id, []), fact]
            messages = [*self._waiting_messages.pop(request_id, []), *messages]
        rows = await self._append(events, messages=messages)
        return rows[-1]

    async def flush(self, request_id: str) -> None:
        """Write what a request still has waiting (its end, or its failure)."""
        self._open.discard(request_id)
        events = self._waiting.pop(request_id, [])
        messages = self._waiting_messages.pop(request_id, [])
        if events:
            await self._append(events, messages=messages)
        else:
            for message in messages:
                await self._store.append_message(**message)

    def discard(self, request_id: str) -> None:
        self._open.discard(request_id)
        self._waiting.pop(request_id, None)
        self._waiting_messages.pop(request_id, None)

    async def _append(
        self, events: list[AuditEvent], *, messages: Sequence[Mapping[str, Any]] = ()
    ) -> list[AuditRecord]:
        try:
            rows = await self._store.append_audit_many(events, messages=messages)
        except Exception as e:  # the audit trail is a boundary: fail closed upstream
            log.error("audit append failed for %s: %s", events[-1].event, type(e).__name__)
            raise AuditUnavailable(f"the audit trail could not be written ({type(e).__name__})") from e
        for row in rows:
            for listener in self.listeners:
                try:
                    listener(row)
                except Exception:  # a listener (webhooks) must never break the request
                    log.exception("audit listener failed")
        return rows
