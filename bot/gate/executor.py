"""The executor: the only place operations run, and the only writer of audit rows.

`submit()` validates the arguments, asks policy, then runs a read at once,
files an approval for a change (with its preview and binding), shows a
suggestion, or refuses (within a routed request, a read's facts and a filed
approval commit with the reply; see `Auditor`).
`execute_approved()` runs an approved row exactly once: the pending → approved
→ executing moves are compare-and-set updates, and only the caller whose
update changed the row goes on. It always runs the arguments stored in the row
(checked against their SHA-256), never arguments from a button or a model. If
the audit trail cannot be written, no change runs and no reply goes out.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import ValidationError

from bot.domain.outcomes import Outcome, RequestContext, describe_call, now_utc
from bot.gate.audit import Auditor, AuditUnavailable
from bot.gate.effect_check import approved_requests, effect_changed
from bot.gate.filing import file_approval
from bot.gate.identities import IdentityMap
from bot.gate.metrics import Metrics
from bot.gate.policy import Policy, Verdict
from bot.gate.stored import requester_of, stored_call, undo_row
from storage.records import ApprovalRecord, ApprovalState
from storage.store import Store
from tools.base import (
    Args,
    KubeIdentity,
    Operation,
    OperationResult,
    RunContext,
    Safety,
    Status,
    describe_invalid_args,
)
from tools.redact import redact_result, redact_text
from tools.registry import Registry

log = logging.getLogger(__name__)

# (platform, channel, the cluster a request names or None) → (cluster, namespace) to fill in
DefaultsFn = Callable[[str, str, str | None], Awaitable[tuple[str | None, str | None]]]
NoticeFn = Callable[[ApprovalRecord, str], Awaitable[None]]
MAX_RESULT_TEXT = 8000


async def _no_notice(_: ApprovalRecord, __: str) -> None:
    return None


async def _no_defaults(_: str, __: str, ___: str | None) -> tuple[str | None, str | None]:
    return None, None


@dataclasses.dataclass
class ExecutorSettings:
    expiry_minutes: int = 15
    budget_tokens: int = 2000
    instance_id: str = "local"
    execution_lease_minutes: int = 60


class Executor:
    def __init__(
        self,
        *,
        store: Store,
        registry: Registry,
        policy: Policy,
        identities: IdentityMap,
        settings: ExecutorSettings,
        defaults: DefaultsFn = _no_defaults,
        metrics: Metrics | None = None,
    ) -> None:
        self.store = store
        self.registry = registry
        self.policy = policy
        self.identities = identities
        self.settings = settings
        self.auditor = Auditor(store)
        self.metrics = metrics or Metrics()
        self._defaults = defaults
        self.notice: NoticeFn = _no_notice
        self.progress_sink: Callable[[ApprovalRecord, str], Awaitable[None]] = _no_notice
        self._background: set[asyncio.Task[Outcome]] = set()
        # Called after a change that ran in the background has finished (the agent follows up).
        self.finished_hooks: list[Callable[[ApprovalRecord], Awaitable[None]]] = []

    async def record(self, event: str, ctx: RequestContext, **fields: Any) -> None:
        """Audit a fact of the conversation (message received, reply sent…)."""
        await self.auditor.record(
            event,
            request_id=ctx.request_id,
            platform=ctx.principal.platform,
            user_id=ctx.principal.user_id,
            channel=ctx.channel,
            **fields,
        )

    async def prepare(self, operation: Operation, raw: Mapping[str, Any], ctx: RequestContext) -> Args:
        """Fill the channel's default cluster/namespace, then validate (raises ValidationError)."""
        values = dict(raw)
        fields = operation.args_model.model_fields
        asked = values.get("cluster") if isinstance(values.get("cluster"), str) else None
        cluster, namespace = await self._defaults(ctx.principal.platform, ctx.channel, asked)
        if "cluster" in fields and values.get("cluster") is None and cluster is not None:
            values["cluster"] = cluster
        if "namespace" in fields and values.get("namespace") is None and namespace is not None:
            values["namespace"] = namespace
        return operation.parse_args(values)

    async def submit(
        self, name: str, raw: Mapping[str, Any], ctx: RequestContext, *, file_approvals: bool = True
    ) -> Outcome:
        """Run, file for approval, suggest or refuse. `file_approvals=False` (autocomplete and the
        like) runs only what policy allows at once and files nothing otherwise."""
        operation = self.registry.get(name)
        if operation is None:
            return Outcome(Status.ERROR, f"there is no operation called {name}; try !help", operation=name)
        try:
            args = await self.prepare(operation, raw, ctx)
        except ValidationError as e:
            usage = operation.command.usage(operation.args_model)
            text = f"!{' '.join(operation.command.words)}: {describe_invalid_args(e)}. Usage: {usage}"
            await self.record(
                "request.invalid", ctx, operation=name, status="invalid", detail={"error": text}
            )
            return Outcome(Status.ERROR, text, operation=name)
        return await self.submit_args(operation, args, ctx, file_approvals=file_approvals)

    async def submit_args(
        self,
        operation: Operation,
        args: Args,
        ctx: RequestContext,
        *,
        undo_of: str | None = None,
        file_approvals: bool = True,
    ) -> Outcome:
        normalised = args.model_dump(mode="json")
        safety = operation.safety_for(args)
        target = operation.target(args)
        call = describe_call(operation.name, normalised)
        await self.record(
            "operation.proposed",
            ctx,
            operation=operation.name,
            detail={"call": call, "safety": safety.value, "origin": ctx.origin, "target": target.describe()},
        )
        decision = self.policy.decide(
            principal=ctx.principal, channel=ctx.channel, safety=safety, target=target
        )
        await self.record(
            "policy.decided",
            ctx,
            operation=operation.name,
            status=decision.verdict.value,
            detail={
                "call": call,
                "safety": safety.value,
                "role": decision.role.value,
                "reason": decision.reason,
            },
        )
        base = Outcome(Status.DENIED, "", operation=operation.name, safety=safety, call=call)
        if decision.verdict is Verdict.DENY:
            needed = decision.needed_role.value if decision.needed_role else None
            return dataclasses.replace(base, text=f"Refused: {decision.reason}.", needed_role=needed)
        if decision.verdict is Verdict.SUGGEST:
            return dataclasses.replace(base, text=f"Suggested (not offered for approval here): {call}")
        if decision.verdict is Verdict.ALLOW:
            return await self._run_now(operation, args, ctx, call=call, safety=safety)
        if not file_approvals:
            return dataclasses.replace(base, text=f"Not run: {decision.reason}; nothing was filed.")
        return await file_approval(self, operation, args, ctx, call=call, safety=safety, undo_of=undo_of)

    def run_context(
        self, identity: KubeIdentity | None, request_id: str, binding: Mapping[str, str]
    ) -> RunContext:
        return RunContext(
            request_id=request_id,
            identity=identity,
            binding=dict(binding),
            budget_tokens=self.settings.budget_tokens,
        )

    async def _run_now(
        self, operation: Operation, args: Args, ctx: RequestContext, *, call: str, safety: Safety
    ) -> Outcome:
        identity = self.identities.kubernetes_identity(ctx.principal)
        run_ctx = dataclasses.replace(
            self.run_context(identity, ctx.request_id, {}),
            readable=self.policy.readable_namespaces(
                principal=ctx.principal, channel=ctx.channel, cluster=operation.target(args).cluster
            ),
        )
        try:
            # A read changes nothing: within a routed request its facts commit with the request's
            # next essential fact (the reply at the latest), before a person sees the result
            # (the agent's model reads it earlier). Outside one, this commits before it runs.
            await self.record(
                "execution.started",
                ctx,
                operation=operation.name,
                detail={"call": call},
                defer=safety is Safety.READ,
            )
        except AuditUnavailable as e:
            return Outcome(Status.ERROR, f"Nothing ran: {e}. Try again shortly.", operation=operation.name)
        result, duration = await self._invoke(operation, args, run_ctx)
        await self.record(
            "execution.finished",
            ctx,
            operation=operation.name,
            status=result.status.value,
            detail={"call": call, "error": result.error, "duration_ms": duration},
            defer=True,
        )
        return Outcome(
            result.status, result.text, operation=operation.name, safety=safety, call=call, result=result
        )

    async def _invoke(
        self, operation: Operation, args: Args, run_ctx: RunContext
    ) -> tuple[OperationResult, int]:
        started = asyncio.get_running_loop().time()
        try:
            result = await asyncio.wait_for(operation.run(args, run_ctx), timeout=operation.timeout_s)
        except TimeoutError:
            result = OperationResult.failure(
                call=operation.name,
                message=f"no answer within {operation.timeout_s:g} s",
                hint="Try again later.",
            )
        except Exception as e:  # a tool broke its promise not to raise: contain it here
            log.exception("operation %s raised", operation.name)
            result = OperationResult.failure(
                call=operation.name, message=redact_text(f"{type(e).__name__}: {e}")
            )
        elapsed = asyncio.get_running_loop().time() - started
        self.metrics.observe_operation(operation.name, result.status.value, elapsed)
        left_out = run_ctx.readable.note() if run_ctx.readable is not None else None
        if left_out:  # a read across namespaces says what policy kept from it
            result = dataclasses.replace(result, text=f"{result.text}\n{left_out}")
        # The gate's own check: whatever a tool returns is redacted before anyone sees or stores it.
        return redact_result(result), int(elapsed * 1000)

    async def execute_approved(self, record: ApprovalRecord, ctx: RequestContext) -> Outcome:
        """Run an approved row once. Only the caller that wins approved → executing runs it."""
        call = describe_call(record.operation, record.args)
        safety = Safety(record.safety)
        claimed = await self.store.transition(
            approval_id=record.id,
            from_state=ApprovalState.APPROVED,
            to_state=ApprovalState.EXECUTING,
            executor=self.settings.instance_id,
            started_at=now_utc(),
        )
        if claimed is None:
            return Outcome(
                Status.ERROR, f"Approval {record.id} is already being run.", operation=record.operation
            )
        try:
            await self.record(
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
        runnable = stored_call(self.registry, record)
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
        sink = self.progress_sink

        async def progress(line: str) -> None:
            await sink(claimed, redact_text(line))

        requester = requester_of(claimed)
        run_ctx = dataclasses.replace(
            self.run_context(self._requester_identity(claimed), claimed.request_id, claimed.binding),
            progress=progress,
            readable=self.policy.readable_namespaces(
                principal=requester, channel=claimed.channel, cluster=claimed.cluster, approved=True
            ),
        )
        changed = await effect_changed(operation, args, run_ctx)
        if changed is not None:  # what would run is no longer what was approved
            result, duration = OperationResult.failure(call=operation.name, message=changed), 0
        else:
            with approved_requests(run_ctx.binding):  # exactly the requests the approved dry run made
                result, duration = await self._invoke(operation, args, run_ctx)
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
        if operation.long_running:
            await self.notice(final, result.text)
            for hook in self.finished_hooks:
                try:
                    await hook(final)
                except Exception:  # a follow-up must never break the run's own bookkeeping
                    log.exception("a finished-run hook failed for %s", final.id)
        return outcome

    def _requester_identity(self, record: ApprovalRecord) -> KubeIdentity | None:
        # The change runs as the requester: an approval never grants more than they have.
        return self.identities.kubernetes_identity(requester_of(record))

    async def _finish(self, claimed: ApprovalRecord, result: OperationResult) -> ApprovalRecord:
        state = ApprovalState.SUCCEEDED if result.ok else ApprovalState.FAILED
        final = await self.store.transition(
            approval_id=claimed.id,
            from_state=ApprovalState.EXECUTING,
            to_state=state,
            finished_at=now_utc(),
            result_status=result.status.value,
            result_text=redact_text(result.text)[:MAX_RESULT_TEXT],
            undo=undo_row(result),
            prior_state=dict(result.prior_state) if result.prior_state is not None else None,
        )
        self.metrics.approvals.labels(state.value).inc()
        if final is None:  # the reconciler of another replica gave up on us meanwhile
            fresh = await self.store.get_approval(claimed.id)
            return fresh or claimed
        return final

    async def _audit_finished(
        self, final: ApprovalRecord, result: OperationResult, ctx: RequestContext, call: str, duration: int
    ) -> None:
        await self.record(
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

