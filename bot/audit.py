"""The audit writer: the executor's only way to append to the audit trail.

Every detail goes through redaction before it is chained; a failed append
raises `AuditUnavailable` so the caller can fail closed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
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


class Auditor:
    def __init__(self, store: Store) -> None:
        self._store = store
        self.listeners: list[AuditListener] = []

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
    ) -> AuditRecord:
        clean = {k: _cap(v) for k, v in redact_mapping_for_log(dict(detail or {})).items()}
        try:
            row = await self._store.append_audit(
                AuditEvent(
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
            )
        except Exception as e:  # the audit trail is a boundary: fail closed upstream
            log.error("audit append failed for %s: %s", event, type(e).__name__)
            raise AuditUnavailable(f"the audit trail could not be written ({type(e).__name__})") from e
        for listener in self.listeners:
            try:
                listener(row)
            except Exception:  # a listener (webhooks) must never break the request
                log.exception("audit listener failed")
        return row
