"""The silences alert cards asked for: kept once they exist, expired "until resolved" on resolve.

A Silence click files `am_silence` with the alert's fingerprint (and whether
it lasts until the alert resolves) in its arguments, so the person approving
sees it on the card. Once that approved change has run, the leader finds the
row (`collect`, from the approvals table: a process that died right after the
run loses nothing) and keeps the silence Alertmanager created in
`alert_silences`. When the alert resolves, the leader expires each of its
"until resolved" silences (`expire_due`) with `am_expire_silence`: this is
the end of the change the person approved, not a new one, so it runs without
a second approval, and its audit fact names that approval. Exactly once
across replicas: `expired_at` is set by compare-and-set before the call; a
failed call gives it back and is tried again in a later round (with a
back-off), each attempt audited; a claim never confirmed after CLAIM_STALE
(its leader died between the claim and the call) is taken over, and
`am_expire_silence` answers a silence already expired as done. The 1h / 4h silences are kept (the card
shows them) and end on their own.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain.events import AuditEvent
from bot.gate.invoke import invoke, run_context
from bot.gate.metrics import Metrics
from storage.alert_records import SilenceRecord
from storage.records import ApprovalRecord
from storage.store import Store
from tools.base import Operation
from tools.prometheus.summarise import parse_duration

log = logging.getLogger(__name__)

SILENCE_OPERATION = "am_silence"
EXPIRE_OPERATION = "am_expire_silence"
LONGEST = dt.timedelta(days=7)  # the longest silence `am_silence` grants: how far back a new leader looks
OVERLAP = dt.timedelta(seconds=5)
RETRY_FIRST_S = 2.0
RETRY_CAP_S = 300.0
# A claim this old that Alertmanager never confirmed: its leader died between the claim and the call.
CLAIM_STALE = dt.timedelta(minutes=2)
EXPIRED_REASON = "alert resolved"

RecordFn = Callable[..., Awaitable[Any]]


def silence_of(record: ApprovalRecord) -> SilenceRecord | None:
    """The silence a succeeded `am_silence` row created for an alert; None if it was for no alert."""
    fingerprint = record.args.get("alert")
    undo = record.undo or {}
    silence_id = (
        (undo.get("args") or {}).get("silence_id") if undo.get("operation") == EXPIRE_OPERATION else None
    )
    if not isinstance(fingerprint, str) or not isinstance(silence_id, str) or not silence_id:
        return None
    try:
        length = parse_duration(str(record.args.get("duration", "1h")))
    except ValueError:
        return None
    ran_at = record.finished_at or record.started_at or record.created_at
    return SilenceRecord(
        silence_id=silence_id,
        fingerprint=fingerprint,
        until_resolved=bool(record.args.get("until_resolved")),
        created_by=f"{record.requester_name} ({record.requester_platform}:{record.requester_id})",
        created_at=ran_at,
        ends_at=ran_at + length,
        approval_id=record.id,
    )


@dataclasses.dataclass
class _Retry:
    attempts: int
    next_at: float


class AlertSilenceKeeper:
    def __init__(
        self,
        *,
        store: Store,
        expire: Operation | None,
        metrics: Metrics,
        record: RecordFn | None = None,
        budget_tokens: int = 2000,
        clock: Callable[[], float] = time.monotonic,
        retry_first_s: float = RETRY_FIRST_S,
    ) -> None:
        self._store = store
        self._expire = expire  # None: no Alertmanager is configured, so none of its silences exist
        self._metrics = metrics
        self._record = record
        self._budget_tokens = budget_tokens
        self._clock = clock
        self.retry_first_s = (
            retry_first_s  # the first back-off after a failed expiry, doubling to RETRY_CAP_S
        )
        self._cursor: dt.datetime | None = None
        self._retry: dict[str, _Retry] = {}

    def restart(self) -> None:
        """This replica has just become the leader: look back over every silence that may still run."""
        self._cursor = None

    async def collect(self) -> int:
        """Keep the silences approved Silence clicks created since the last look; how many were new."""
        now = dt.datetime.now(dt.UTC)
        since = (self._cursor - OVERLAP) if self._cursor is not None else now - LONGEST
        kept = 0
        for row in await self._store.approvals.succeeded_since(operation=SILENCE_OPERATION, since=since):
            if row.finished_at is not None:
                self._cursor = max(self._cursor or row.finished_at, row.finished_at)
            silence = silence_of(row)
            if silence is not None and await self._store.silences.keep(silence):
                kept += 1
        if self._cursor is None:
            self._cursor = now - OVERLAP
        return kept

    async def expire_due(self) -> int:
        """Expire the "until resolved" silences whose alert has resolved; how many were expired."""
        if self._expire is None:
            return 0
        done = 0
        now = dt.datetime.now(dt.UTC)
        for silence in await self._store.silences.due(now, stale_before=now - CLAIM_STALE):
            retry = self._retry.get(silence.silence_id)
            if retry is not None and retry.next_at > self._clock():
                continue
            done += await self._expire_one(silence, self._expire)
        return done

    async def _expire_one(self, silence: SilenceRecord, operation: Operation) -> int:
        at = dt.datetime.now(dt.UTC)
        if not await self._store.silences.claim_expiry(
            silence.silence_id, at=at, stale_before=at - CLAIM_STALE
        ):
            return 0  # another leader has it
        approval = await self._store.get_approval(silence.approval_id) if silence.approval_id else None
        cluster = approval.args.get("cluster") if approval is not None else None
        raw = {"silence_id": silence.silence_id, **({"cluster": cluster} if cluster else {})}
        request_id = approval.request_id if approval is not None else uuid.uuid4().hex[:16]
        try:
            args = operation.parse_args(raw)
        except ValueError as e:
            result_ok, text = False, f"the stored silence cannot be expired: {e}"
        else:
            ctx = run_context(None, request_id, {}, budget_tokens=self._budget_tokens)
            result, _ = await invoke(operation, args, ctx, metrics=self._metrics)
            result_ok, text = result.ok, result.text
        if result_ok:
            self._retry.pop(silence.silence_id, None)
            await self._store.silences.expired(silence)
        else:
            await self._store.silences.release_expiry(silence.silence_id, at=at)
            self._back_off(silence.silence_id)
            log.warning("expiring silence %s failed; trying again later: %s", silence.silence_id, text)
        await self._audit(silence, approval, ok=result_ok, text=text)
        return 1 if result_ok else 0

    def _back_off(self, silence_id: str) -> None:
        attempts = self._retry[silence_id].attempts + 1 if silence_id in self._retry else 1
        delay = min(RETRY_CAP_S, self.retry_first_s * 2 ** (attempts - 1))
        self._retry[silence_id] = _Retry(attempts, self._clock() + delay)

    async def _audit(
        self, silence: SilenceRecord, approval: ApprovalRecord | None, *, ok: bool, text: str
    ) -> None:
        if self._record is None:
            return
        who: dict[str, Any] = {}
        if approval is not None:
            who = {
                "request_id": approval.request_id,
                "platform": approval.requester_platform,
                "user_id": approval.requester_id,
                "channel": approval.channel,
            }
        await self._record(
            AuditEvent.ALERT_SILENCE_EXPIRED,
            operation=EXPIRE_OPERATION,
            approval_id=silence.approval_id,
            status="ok" if ok else "error",
            detail={
                "silence_id": silence.silence_id,
                "fingerprint": silence.fingerprint,
                "reason": EXPIRED_REASON,
                "completes": f"approval {silence.approval_id} (silence until resolved)",
                **({} if ok else {"error": text[:500]}),
            },
            **who,
        )
