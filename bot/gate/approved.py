"""Running an approved row exactly once: claim it, check it, run it as the requester, settle it.

`ApprovedRuns.execute()` moves the row approved → executing with one
compare-and-set; only the caller whose update changed the row goes on. It
always runs the arguments stored in the row (checked against their SHA-256),
never arguments from a button or a model, repeats the dry run first (an
effect that changed since the card runs nothing) and lets the client send
only the requests the approved dry run made. If the audit trail cannot be
written, nothing runs. A long-running change runs in the background: its
progress and its final notice go to the requester through the `Notifier`
port, then the followers of `Completions` hear of it (the agent's word).
"""

from __future__ import annotations

import asyncio
import dataclasses

from bot.domain.outcomes import Outcome, RequestContext, describe_call, now_utc
from bot.gate.audit import AuditUnavailable
from bot.gate.completions import Completions
from bot.gate.effect_check import approved_requests, effect_changed
from bot.gate.identities import IdentityMap
from bot.gate.invoke import invoke, run_context
from bot.gate.metrics import Metrics
from bot.gate.policy import Policy
from bot.gate.ports import ApprovalRepository, AuditLog, Notifier
from bot.gate.stored import finish_row, requester_of, stored_call
from storage.records import ApprovalRecord, ApprovalState
from tools.base import Args, Operation, OperationResult, Safety, Status
from tools.redact import redact_text
from tools.registry import Registry


class ApprovedRuns:
    def __init__(
        self,
        *,
        registry: Registry,
        policy: Policy,
        identities: IdentityMap,
        approvals: ApprovalRepository,
        audit: AuditLog,
        notifier: Notifier,
        completions: Completions,
        metrics: Metrics,
        instance_id: str,
        budget_tokens: int,
    ) -> None:
        self._registry = registry
        self._policy = policy
        self._identities = identities
        self._approvals = approvals
        self._audit = audit
        self._notifier = notifier
        self._completions = completions
        self._metrics = metrics
        self._instance_id = instance_id
        self._budget_tokens = budget_tokens
        self._background: set[asyncio.Task[Outcome]] = set()

    async def execute(self, record: ApprovalRecord, ctx: RequestContext) -> Outcome:
        """Run an approved row once. Only the caller that wins approved → executing runs it."""
        call = describe_call(record.operation, record.args)
        safety = Safety(record.safety)
        claimed = await self._approvals.transition(
            approval_id=record.id,
            from_state=ApprovalState.APPROVED,
            to_state=ApprovalState.EXECUTING,
            executor=self._instance_id,
            started_at=now_utc(),
        )
        if claimed is None:
            return Outcome(
                Status.ERROR, f"Approval {record.id} is already being run.", operation=record.operation
            )
        try:
            await self._audit.record(
                "execution.started",
                ctx,
                operation=record.operation,
                approval_id=record.id,
                detail={"call": call},
            )
        except AuditUnavailable as e:
            await self._finish(
                claimed, OperationResult.failure(call=record.operation, message=f"nothing ran: {e}")
            )
            return Outcome(Status.ERROR, f"Nothing ran: {e}. Ask again shortly.", operation=record.operation)
        runnable = stored_call(self._registry, record)
        if isinstance(runnable, str):
            result = OperationResult.failure(call=record.operation, message=runnable)
            final = await self._finish(claimed, result)
            await self._audit_finished(final, result, ctx, call, 0)
            return Outcome(
                Status.ERROR,
                result.text,
                operation=record.operation,
                safety=safety,
                call=call,
                approval=final,
            )
        operation, args = runnable
        if operation.long_running:
            task = asyncio.create_task(self._run_claimed(operation, args, claimed, ctx, call, safety))
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return Outcome(
                Status.OK,
                f"Approval {record.id}: {call} started; progress will follow here.",
                operation=record.operation,
                safety=safety,
                call=call,
                approval=claimed,
                started_in_background=True,
            )
        return await self._run_claimed(operation, args, claimed, ctx, call, safety)

    async def _run_claimed(
        self,
        operation: Operation,
        args: Args,
        claimed: ApprovalRecord,
        ctx: RequestContext,
        call: str,
        safety: Safety,
    ) -> Outcome:
        async def progress(line: str) -> None:
            await self._notifier.progress(claimed, redact_text(line))

        requester = requester_of(claimed)
        # The change runs as the requester: an approval never grants more than they have.
        identity = self._identities.kubernetes_identity(requester)
        run_ctx = dataclasses.replace(
            run_context(identity, claimed.request_id, claimed.binding, budget_tokens=self._budget_tokens),
            progress=progress,
            readable=self._policy.readable_namespaces(
                principal=requester, channel=claimed.channel, cluster=claimed.cluster, approved=True
            ),
        )
        changed = await effect_changed(operation, args, run_ctx)
        if changed is not None:  # what would run is no longer what was approved
            result, duration = OperationResult.failure(call=operation.name, message=changed), 0
        else:
            with approved_requests(run_ctx.binding):  # exactly the requests the approved dry run made
                result, duration = await invoke(operation, args, run_ctx, metrics=self._metrics)
        final = await self._finish(claimed, result)
        await self._audit_finished(final, result, ctx, call, duration)
        outcome = Outcome(
            result.status,
            result.text,
            operation=operation.name,
            safety=safety,
            call=call,
            result=result,
            approval=final,
        )
        if operation.long_running:  # its request has ended: the requester hears it from the notifier
            await self._notifier.notice(final, result.text)
            await self._completions.finished(final)
        return outcome

    async def _finish(self, claimed: ApprovalRecord, result: OperationResult) -> ApprovalRecord:
        final, state = await finish_row(self._approvals, claimed, result)
        self._metrics.approvals.labels(state.value).inc()
        return final

    async def _audit_finished(
        self, final: ApprovalRecord, result: OperationResult, ctx: RequestContext, call: str, duration: int
    ) -> None:
        await self._audit.record(
            "execution.finished",
            ctx,
            operation=final.operation,
            approval_id=final.id,
            status=result.status.value,
            detail={"call": call, "error": result.error, "duration_ms": duration, "state": final.state.value},
        )

    async def drain(self, timeout_s: float) -> int:
        """Wait for background runs; returns how many did not finish in time."""
        pending = list(self._background)
        if not pending:
            return 0
        _, still = await asyncio.wait(pending, timeout=timeout_s)
        return len(still)
