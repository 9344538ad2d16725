"""Filing an approval: permission check, preview, the pending row with its audit fact.

Called by the executor for every change (and for reads in paranoid
channels), with its own dependencies given once at start-up (`ApprovalFiling`:
policy, identities, the audit log, metrics). It never runs the operation; a
refused check or a failed preview refuses the request at once instead of
filing it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging

from bot.domain.outcomes import Outcome, RequestContext, args_digest, now_utc
from bot.gate.cel_rules import judge_effects
from bot.gate.effect_check import bind_effect
from bot.gate.effect_gate import gate
from bot.gate.identities import IdentityMap
from bot.gate.invoke import run_context
from bot.gate.metrics import Metrics
from bot.gate.policy import Policy
from bot.gate.ports import AuditLog
from storage.approvals import prepare_approval
from storage.records import NewApproval
from tools.base import Args, Operation, Preview, Safety, Status
from tools.ledger import recording
from tools.redact import redact_text

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ApprovalFiling:
    """What filing needs, given once at start-up."""

    policy: Policy
    identities: IdentityMap
    audit: AuditLog
    metrics: Metrics
    expiry: dt.timedelta
    budget_tokens: int

    async def file(
        self,
        operation: Operation,
        args: Args,
        ctx: RequestContext,
        *,
        call: str,
        safety: Safety,
        undo_of: str | None,
    ) -> Outcome:
        """The pending row's outcome (its card), or the refusal to answer with."""
        return await file_approval(self, operation, args, ctx, call=call, safety=safety, undo_of=undo_of)


async def file_approval(
    filing: ApprovalFiling,
    operation: Operation,
    args: Args,
    ctx: RequestContext,
    *,
    call: str,
    safety: Safety,
    undo_of: str | None,
) -> Outcome:
    identity = filing.identities.kubernetes_identity(ctx.principal)
    run_ctx = run_context(identity, ctx.request_id, {}, budget_tokens=filing.budget_tokens)
    if operation.authorize is not None:
        try:
            refusal = await operation.authorize(args, run_ctx)
        except Exception as e:  # cannot check the requester's rights: refuse
            log.exception("authorize of %s raised", operation.name)
            refusal = f"the permission check failed ({type(e).__name__}); try again"
        if refusal:
            await filing.audit.record(
                "request.refused",
                ctx,
                operation=operation.name,
                status="rbac",
                detail={"reason": refusal},
            )
            return Outcome(
                Status.DENIED, f"Refused: {refusal}", operation=operation.name, safety=safety, call=call
            )
    try:
        with recording() as ledger:  # the requests its dry run makes are the ones the run may send
            preview = await operation.preview(args, run_ctx) if operation.preview is not None else None
    except Exception as e:  # a tool broke its promise not to raise: refuse, never file blind
        log.exception("preview of %s raised", operation.name)
        preview = Preview(text=f"{operation.name} preview failed ({type(e).__name__}); try again", ok=False)
    if preview is not None and not preview.ok:
        await filing.audit.record(
            "request.refused",
            ctx,
            operation=operation.name,
            status="preview_failed",
            detail={"reason": preview.text},
        )
        return Outcome(
            Status.ERROR, redact_text(preview.text), operation=operation.name, safety=safety, call=call
        )
    if preview is not None:
        # Policy judges the effect, not the verb: the effective safety and every object touched.
        gated = await gate(
            filing.policy,
            filing.audit,
            operation,
            args,
            ctx,
            call=call,
            declared=safety,
            effects=preview.effects,
        )
        if isinstance(gated, Outcome):
            return gated
        safety = gated.safety
        preview = dataclasses.replace(
            preview,
            text=gated.card_header() + preview.text,
            binding=bind_effect(dict(preview.binding), preview.effects, ledger.seen),
        )
    # Admins' own CEL rules judge each object the effect touches, at its effective safety.
    target = operation.target(args)
    judgement = judge_effects(
        filing.policy.settings.rules,
        preview.effects if preview is not None else (),
        principal=ctx.principal,
        identity=identity,
        role=filing.policy.role_of(ctx.principal),
        cluster=target.cluster,
        safety=safety,
    )
    if judgement.refusal is not None:
        await filing.audit.record(
            "request.refused",
            ctx,
            operation=operation.name,
            status="policy",
            detail={"reason": judgement.refusal},
        )
        return Outcome(
            Status.DENIED,
            f"Refused: {judgement.refusal}.",
            operation=operation.name,
            safety=safety,
            call=call,
        )
    preview_text = redact_text(preview.text) if preview is not None else f"read: {call}"
    if judgement.notes:
        preview_text = "\n".join((preview_text, *dict.fromkeys(judgement.notes)))
    normalised = args.model_dump(mode="json")
    prepared = prepare_approval(
        NewApproval(
            operation=operation.name,
            args=normalised,
            args_sha256=args_digest(operation.name, normalised),
            safety=safety.value,
            requester_platform=ctx.principal.platform,
            requester_id=ctx.principal.user_id,
            requester_name=ctx.principal.display_name,
            channel=ctx.channel,
            thread=ctx.thread,
            cluster=target.cluster,
            namespace=target.namespace,
            target_kind=target.kind,
            target_name=target.name,
            binding={**(dict(preview.binding) if preview is not None else {}), **judgement.binding},
            preview=preview_text,
            approvals_needed=max(filing.policy.approvals_needed(safety), judgement.approvers),
            expires_at=now_utc() + filing.expiry,
            request_id=ctx.request_id,
            undo_of=undo_of,
            requester_groups=ctx.principal.memberships,
        )
    )
    record = prepared.record
    # The row and its fact commit together with the request's next essential fact (the reply
    # that shows its card, at the latest); outside a routed request, before this returns.
    await filing.audit.record(
        "approval.requested",
        ctx,
        operation=operation.name,
        approval_id=record.id,
        status="pending",
        detail={"call": call, "safety": safety.value, "preview": preview_text, "undo_of": undo_of},
        approval=prepared,
        defer=True,
    )
    filing.metrics.approvals.labels("pending").inc()
    return Outcome(
        Status.APPROVAL_REQUIRED,
        f"Approval {record.id} requested: {call}",
        operation=operation.name,
        safety=safety,
        call=call,
        approval=record,
    )
