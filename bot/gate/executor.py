"""The executor: the only place operations run, and the only writer of audit rows.

`submit()` validates the arguments, asks policy, then runs a read at once,
files an approval for a change (with its preview and binding), shows a
suggestion, or refuses (within a routed request, a read's facts and a filed
approval commit with the reply; see `Auditor`).
`execute_approved()` runs an approved row exactly once (`bot.gate.approved`).
If the audit trail cannot be written, no change runs and no reply goes out.

Its dependencies are given once at start-up (`bot/app.py`): the registry,
policy, identities, the audit log, the filing step, the runner of approved
rows, and metrics. It lends none of them out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from pydantic import ValidationError

from bot.domain.events import AuditEvent
from bot.domain.outcomes import Outcome, RequestContext, describe_call
from bot.gate.approved import ApprovedRuns
from bot.gate.audit import AuditUnavailable
from bot.gate.filing import ApprovalFiling
from bot.gate.identities import IdentityMap
from bot.gate.invoke import invoke, run_context
from bot.gate.metrics import Metrics
from bot.gate.policy import Policy, Verdict
from bot.gate.ports import AuditLog
from storage.records import ApprovalRecord
from tools.base import Args, Operation, Safety, Status, describe_invalid_args
from tools.registry import Registry

# (platform, channel, the cluster a request names or None) → (cluster, namespace) to fill in
DefaultsFn = Callable[[str, str, str | None], Awaitable[tuple[str | None, str | None]]]


async def _no_defaults(_: str, __: str, ___: str | None) -> tuple[str | None, str | None]:
    return None, None


class Executor:
    def __init__(
        self,
        *,
        registry: Registry,
        policy: Policy,
        identities: IdentityMap,
        audit: AuditLog,
        filing: ApprovalFiling,
        runs: ApprovedRuns,
        metrics: Metrics,
        budget_tokens: int,
        defaults: DefaultsFn = _no_defaults,
    ) -> None:
        self._registry = registry
        self._policy = policy
        self._identities = identities
        self._audit = audit
        self._filing = filing
        self._runs = runs
        self._metrics = metrics
        self._budget_tokens = budget_tokens
        self._defaults = defaults

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
        self,
        name: str,
        raw: Mapping[str, Any],
        ctx: RequestContext,
        *,
        file_approvals: bool = True,
        timeout_s: float | None = None,
    ) -> Outcome:
        """Run, file for approval, suggest or refuse. `file_approvals=False` (autocomplete and the
        like) runs only what policy allows at once and files nothing otherwise. `timeout_s` cuts a
        read that runs now shorter than the operation's own limit (the audit records the timeout)."""
        operation = self._registry.get(name)
        if operation is None:
            return Outcome(Status.ERROR, f"there is no operation called {name}; try !help", operation=name)
        try:
            args = await self.prepare(operation, raw, ctx)
        except ValidationError as e:
            usage = operation.command.usage(operation.args_model)
            text = f"!{' '.join(operation.command.words)}: {describe_invalid_args(e)}. Usage: {usage}"
            await self._audit.record(
                AuditEvent.REQUEST_INVALID, ctx, operation=name, status="invalid", detail={"error": text}
            )
            return Outcome(Status.ERROR, text, operation=name)
        return await self.submit_args(
            operation, args, ctx, file_approvals=file_approvals, timeout_s=timeout_s
        )

    async def submit_args(
        self,
        operation: Operation,
        args: Args,
        ctx: RequestContext,
        *,
        undo_of: str | None = None,
        file_approvals: bool = True,
        timeout_s: float | None = None,
    ) -> Outcome:
        normalised = args.model_dump(mode="json")
        safety = operation.safety_for(args)
        target = operation.target(args)
        call = describe_call(operation.name, normalised)
        await self._audit.record(
            AuditEvent.OPERATION_PROPOSED,
            ctx,
            operation=operation.name,
            detail={"call": call, "safety": safety.value, "origin": ctx.origin, "target": target.describe()},
        )
        decision = self._policy.decide(
            principal=ctx.principal, channel=ctx.channel, safety=safety, target=target
        )
        await self._audit.record(
            AuditEvent.POLICY_DECIDED,
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
            return await self._run_now(operation, args, ctx, call=call, safety=safety, timeout_s=timeout_s)
        if not file_approvals:
            return dataclasses.replace(base, text=f"Not run: {decision.reason}; nothing was filed.")
        return await self._filing.file(operation, args, ctx, call=call, safety=safety, undo_of=undo_of)

    async def _run_now(
        self,
        operation: Operation,
        args: Args,
        ctx: RequestContext,
        *,
        call: str,
        safety: Safety,
        timeout_s: float | None = None,
    ) -> Outcome:
        identity = self._identities.kubernetes_identity(ctx.principal)
        run_ctx = dataclasses.replace(
            run_context(identity, ctx.request_id, {}, budget_tokens=self._budget_tokens),
            readable=self._policy.readable_namespaces(
                principal=ctx.principal, channel=ctx.channel, cluster=operation.target(args).cluster
            ),
        )
        try:
            # A read changes nothing: within a routed request its facts commit with the request's
            # next essential fact (the reply at the latest), before a person sees the result
            # (the agent's model reads it earlier). Outside one, this commits before it runs.
            await self._audit.record(
                AuditEvent.EXECUTION_STARTED,
                ctx,
                operation=operation.name,
                detail={"call": call},
                defer=safety is Safety.READ,
            )
        except AuditUnavailable as e:
            return Outcome(Status.ERROR, f"Nothing ran: {e}. Try again shortly.", operation=operation.name)
        result, duration = await invoke(operation, args, run_ctx, metrics=self._metrics, timeout_s=timeout_s)
        await self._audit.record(
            AuditEvent.EXECUTION_FINISHED,
            ctx,
            operation=operation.name,
            status=result.status.value,
            detail={"call": call, "error": result.error, "duration_ms": duration},
            defer=True,
        )
        return Outcome(
            result.status, result.text, operation=operation.name, safety=safety, call=call, result=result
        )

    async def execute_approved(self, record: ApprovalRecord, ctx: RequestContext) -> Outcome:
        """Run an approved row once (see `ApprovedRuns`)."""
        return await self._runs.execute(record, ctx)

    async def drain(self, timeout_s: float) -> int:
        """Wait for changes running in the background; returns how many did not finish in time."""
        return await self._runs.drain(timeout_s)
