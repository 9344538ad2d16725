"""Deciding approvals: approve, deny, cancel, undo, expire, reconcile.

Every state change is one compare-and-set in storage, so a double click, a
retried event or two replicas deciding at once change the row once. Running
the approved row is left to `Executor.execute_approved`, which claims it with
one more compare-and-set. Nothing here runs an operation itself. Its
dependencies (the approval rows, the lease rows, policy, the audit log,
metrics, the executor) are given once at start-up.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from bot.domain.events import AuditEvent
from bot.domain.models import Principal
from bot.domain.outcomes import Outcome, RequestContext, describe_call, now_utc
from bot.domain.replies import state_line
from bot.gate.approval_states import NOT_RUN, explain_state
from bot.gate.audit import AuditUnavailable
from bot.gate.audit_log import RequestAudit
from bot.gate.cel_rules import approver_role_of
from bot.gate.executor import Executor
from bot.gate.instance import is_gone
from bot.gate.metrics import Metrics
from bot.gate.policy import Policy
from bot.gate.ports import ApprovalRepository, InstanceDirectory
from storage.records import ApprovalRecord, ApprovalState, Approver
from tools.base import Safety, Status
from tools.registry import Registry

__all__ = ["NOT_RUN", "ApprovalDesk", "explain_state"]


class ApprovalDesk:
    def __init__(
        self,
        *,
        approvals: ApprovalRepository,
        instances: InstanceDirectory,
        policy: Policy,
        audit: RequestAudit,
        metrics: Metrics,
        executor: Executor,
        registry: Registry,
        instance_id: str,
        execution_lease: dt.timedelta,
    ) -> None:
        self._store = approvals
        self._instances = instances
        self._policy = policy
        self._audit = audit
        self._metrics = metrics
        self._executor = executor
        self._registry = registry
        self._instance_id = instance_id
        self._execution_lease = execution_lease

    async def get(self, approval_id: str) -> ApprovalRecord | None:
        return await self._store.get_approval(approval_id.strip().lower())

    async def _load_pending(self, approval_id: str, ctx: RequestContext) -> ApprovalRecord | Outcome:
        record = await self.get(approval_id)
        if record is None:
            return Outcome(Status.ERROR, f"There is no approval with id {approval_id}; see !approvals.")
        if record.state is ApprovalState.PENDING and record.expires_at <= now_utc():
            expired = await self._store.transition(
                approval_id=record.id, from_state=ApprovalState.PENDING, to_state=ApprovalState.EXPIRED
            )
            if expired is not None:
                self._metrics.approvals.labels("expired").inc()
                await self._audit.record(
                    AuditEvent.APPROVAL_EXPIRED,
                    ctx,
                    operation=record.operation,
                    approval_id=record.id,
                    status="expired",
                )
            record = expired or await self.get(record.id) or record
        if record.state is not ApprovalState.PENDING:
            return Outcome(Status.ERROR, explain_state(record), operation=record.operation, approval=record)
        return record

    async def approve(self, approval_id: str, ctx: RequestContext) -> Outcome:
        for _ in range(3):  # a lost compare-and-set means someone else moved the row: look again
            loaded = await self._load_pending(approval_id, ctx)
            if isinstance(loaded, Outcome):
                return loaded
            record = loaded
            safety = Safety(record.safety)
            check = self._policy.check_approver(
                approver=ctx.principal,
                safety=safety,
                requester_platform=record.requester_platform,
                requester_id=record.requester_id,
                min_role=approver_role_of(record.binding),
            )
            if not check.allowed:
                await self._audit.record(
                    AuditEvent.APPROVAL_REFUSED,
                    ctx,
                    operation=record.operation,
                    approval_id=record.id,
                    status="refused",
                    detail={"reason": check.reason},
                )
                return Outcome(
                    Status.DENIED, f"You cannot approve {record.id}: {check.reason}.", approval=record
                )
            me = (ctx.principal.platform, ctx.principal.user_id)
            left = record.approvals_needed - len(record.approvers)
            if any((a.platform, a.user_id) == me for a in record.approvers) and left > 0:
                return Outcome(
                    Status.ERROR, f"You already approved {record.id}; it needs {left} more approver(s)."
                )
            if left > 0:
                approver = Approver(
                    ctx.principal.platform, ctx.principal.user_id, ctx.principal.display_name, now_utc()
                )
                updated = await self._store.add_approver(
                    approval_id=record.id, expected_version=record.version, approver=approver
                )
                if updated is None:
                    continue
            else:
                # Enough approvers are on the row but it is still pending: the process that added
                # the last one stopped before pending → approved. An allowed approver finishes it.
                updated = record
            if len(updated.approvers) < updated.approvals_needed:
                left = updated.approvals_needed - len(updated.approvers)
                await self._audit.record(
                    AuditEvent.APPROVAL_PARTIAL,
                    ctx,
                    operation=record.operation,
                    approval_id=record.id,
                    status="pending",
                )
                return Outcome(
                    Status.APPROVAL_REQUIRED,
                    f"Approved by you; {record.id} needs {left} more approver(s).",
                    operation=record.operation,
                    approval=updated,
                )
            approved = await self._store.transition(
                approval_id=record.id,
                from_state=ApprovalState.PENDING,
                to_state=ApprovalState.APPROVED,
                expected_version=updated.version,
                decided_by=ctx.principal.display_name,
                decided_at=now_utc(),
                executor=self._instance_id,  # the owner until it runs
            )
            if approved is None:
                continue
            self._metrics.approvals.labels("approved").inc()
            with contextlib.suppress(AuditUnavailable):  # execute_approved fails closed on its own
                await self._audit.record(
                    AuditEvent.APPROVAL_DECIDED,
                    ctx,
                    operation=record.operation,
                    approval_id=record.id,
                    status="approved",
                    detail={"call": describe_call(record.operation, record.args)},
                )
            return await self._executor.execute_approved(approved, ctx)
        fresh = await self.get(approval_id)
        return Outcome(
            Status.ERROR, explain_state(fresh) if fresh else "That approval vanished.", approval=fresh
        )

    async def deny(self, approval_id: str, ctx: RequestContext, reason: str | None = None) -> Outcome:
        loaded = await self._load_pending(approval_id, ctx)
        if isinstance(loaded, Outcome):
            return loaded
        record = loaded
        is_requester = (ctx.principal.platform, ctx.principal.user_id) == (
            record.requester_platform,
            record.requester_id,
        )
        if not is_requester and not self._policy.role_of(ctx.principal).may_approve(Safety(record.safety)):
            return Outcome(
                Status.DENIED,
                f"You cannot deny {record.id}: only its requester or an approver may.",
                approval=record,
            )
        denied = await self._store.transition(
            approval_id=record.id,
            from_state=ApprovalState.PENDING,
            to_state=ApprovalState.DENIED,
            decided_by=ctx.principal.display_name,
            decided_at=now_utc(),
            reason=reason,
        )
        if denied is None:
            fresh = await self.get(record.id)
            return Outcome(Status.ERROR, explain_state(fresh or record), approval=fresh)
        self._metrics.approvals.labels("denied").inc()
        await self._audit.record(
            AuditEvent.APPROVAL_DECIDED,
            ctx,
            operation=record.operation,
            approval_id=record.id,
            status="denied",
            detail={"reason": reason},
        )
        why = f" ({reason})" if reason else ""
        return Outcome(
            Status.DENIED,
            f"Approval {record.id} denied by {ctx.principal.display_name}{why}.",
            approval=denied,
        )

    async def cancel(self, approval_id: str, ctx: RequestContext) -> Outcome:
        loaded = await self._load_pending(approval_id, ctx)
        if isinstance(loaded, Outcome):
            return loaded
        record = loaded
        if (ctx.principal.platform, ctx.principal.user_id) != (
            record.requester_platform,
            record.requester_id,
        ):
            return Outcome(Status.DENIED, f"Only {record.requester_name}, who asked, can cancel {record.id}.")
        cancelled = await self._store.transition(
            approval_id=record.id, from_state=ApprovalState.PENDING, to_state=ApprovalState.CANCELLED
        )
        if cancelled is None:
            fresh = await self.get(record.id)
            return Outcome(Status.ERROR, explain_state(fresh or record), approval=fresh)
        self._metrics.approvals.labels("cancelled").inc()
        await self._audit.record(
            AuditEvent.APPROVAL_CANCELLED,
            ctx,
            operation=record.operation,
            approval_id=record.id,
            status="cancelled",
        )
        return Outcome(Status.OK, f"Approval {record.id} cancelled.", approval=cancelled)

    async def undo(self, approval_id: str, ctx: RequestContext) -> Outcome:
        record = await self.get(approval_id)
        if record is None:
            return Outcome(Status.ERROR, f"There is no approval with id {approval_id}.")
        if record.state is not ApprovalState.SUCCEEDED or not record.undo:
            return Outcome(
                Status.ERROR, f"{record.id} has nothing to undo (only completed changes with an inverse do)."
            )
        earlier = await self._undo_of(record.id)
        if earlier is not None:
            if earlier.state is ApprovalState.SUCCEEDED:
                return Outcome(
                    Status.ERROR,
                    f"{record.id} was already undone by {earlier.id} "
                    f"({state_line(earlier)}); nothing new was filed.",
                )
            return Outcome(
                Status.ERROR,
                f"An undo of {record.id} is already filed as {earlier.id} ({state_line(earlier)}); "
                f"act on that one (`!approve {earlier.id}`).",
            )
        operation = self._registry.get(str(record.undo["operation"]))
        if operation is None:
            return Outcome(Status.ERROR, f"the undo operation {record.undo['operation']} is not available.")
        undo_ctx = RequestContext(ctx.principal, ctx.channel, ctx.thread, ctx.request_id, origin="undo")
        try:
            args = operation.parse_args(dict(record.undo["args"]))
        except ValueError as e:
            return Outcome(Status.ERROR, f"the undo of {record.id} cannot be filed: {e}")
        return await self._executor.submit_args(operation, args, undo_ctx, undo_of=record.id)

    async def _undo_of(self, approval_id: str) -> ApprovalRecord | None:
        """An undo of this change that is waiting, running or done (a second one would be a no-op)."""
        live = [
            ApprovalState.PENDING,
            ApprovalState.APPROVED,
            ApprovalState.EXECUTING,
            ApprovalState.SUCCEEDED,
        ]
        rows = await self._store.list_approvals(states=live, limit=500)
        for row in rows:
            if row.undo_of != approval_id:
                continue
            if row.state is ApprovalState.PENDING and row.expires_at <= now_utc():
                continue  # expired, not yet swept
            return row
        return None

    async def pending_for(self, principal: Principal, *, limit: int = 20) -> list[ApprovalRecord]:
        """Pending approvals this person can act on (approve, or cancel as requester)."""
        rows = await self._store.list_approvals(states=[ApprovalState.PENDING], limit=200)
        mine: list[ApprovalRecord] = []
        for row in rows:
            if row.expires_at <= now_utc():
                continue
            own = (principal.platform, principal.user_id) == (row.requester_platform, row.requester_id)
            check = self._policy.check_approver(
                approver=principal,
                safety=Safety(row.safety),
                requester_platform=row.requester_platform,
                requester_id=row.requester_id,
                min_role=approver_role_of(row.binding),
            )
            if own or check.allowed:
                mine.append(row)
        return mine[:limit]

    async def expire_due(self) -> list[ApprovalRecord]:
        expired = await self._store.expire_due(now_utc())
        for row in expired:
            await self._record_system(row, AuditEvent.APPROVAL_EXPIRED, state="expired")
        return expired

    async def _record_system(self, row: ApprovalRecord, event: AuditEvent, *, state: str) -> None:
        """A state change the bot made on its own (expiry, reconciler), counted and audited."""
        self._metrics.approvals.labels(state).inc()
        await self._audit.record_by_bot(event, row, status=state)

    async def reconcile(self, *, mine: bool = False) -> list[ApprovalRecord]:
        """Settle approvals a dead process left half done; returns the rows to tell people about.

        An approval is owned by the process that approved it (`executor`, set
        with pending → approved) and then by the one that claimed it. Only rows
        whose owner is gone (see `bot.gate.instance.is_gone`) are touched, so a
        second console never settles a live one's change; `mine=True` (at
        shutdown) settles this process's own unfinished rows too. Rows claimed
        longer ago than `execution_lease_minutes` are settled whoever owns them.

        - `executing` → `outcome_unknown`: it may have run; never run again.
        - `approved` (approved → executing never committed, so nothing ran) →
          `failed` with result `not_run`, and the requester is told to ask again.
          Chosen over re-running it: the approvers agreed to a change at the
          moment they clicked, and the bot may come back hours later, when the
          change is no longer wanted or nobody is watching; a clear "nothing
          ran, ask again" loses nothing and cannot run anything twice.
        """
        lease = self._execution_lease
        me = self._instance_id
        now = now_utc()
        rows = await self._store.in_flight()
        owners = await self._instances.find({r.executor for r in rows if r.executor and r.executor != me})
        settled: list[ApprovalRecord] = []
        for row in rows:
            claimed_at = row.started_at or row.decided_at
            stranded = mine if row.executor == me else is_gone(owners.get(row.executor or ""), now=now)
            if not stranded and not (claimed_at is not None and claimed_at < now - lease):
                continue
            done = await self._settle(row)
            if done is not None:
                settled.append(done)
        return settled

    async def _settle(self, row: ApprovalRecord) -> ApprovalRecord | None:
        if row.state is ApprovalState.EXECUTING:
            done = await self._store.transition(
                approval_id=row.id,
                from_state=ApprovalState.EXECUTING,
                to_state=ApprovalState.OUTCOME_UNKNOWN,
                finished_at=now_utc(),
                result_status="outcome_unknown",
                result_text="the bot stopped while this was running; its outcome is unknown",
            )
            if done is not None:
                await self._record_system(row, AuditEvent.EXECUTION_OUTCOME_UNKNOWN, state="outcome_unknown")
            return done
        done = await self._store.transition(
            approval_id=row.id,
            from_state=ApprovalState.APPROVED,
            to_state=ApprovalState.FAILED,
            finished_at=now_utc(),
            result_status=NOT_RUN,
            result_text="approved, but the bot stopped before running it; nothing ran; ask again",
        )
        if done is not None:
            await self._record_system(row, AuditEvent.EXECUTION_NOT_RUN, state=NOT_RUN)
        return done
