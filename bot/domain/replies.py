"""Outcomes and approval rows → platform-neutral replies (cards, results, refusals).

Only builds `Reply` values; adapters render them. Every reply that involved an
operation names the exact call and its safety level.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.models import Button, ButtonAction, Reply, ReplyField, ReplyKind
from bot.domain.outcomes import Outcome, describe_call
from storage.records import ApprovalRecord, ApprovalState
from tools.base import Safety, Status


def approval_card(record: ApprovalRecord) -> Reply:
    """The card for an approval in any state; adapters re-render it in place."""
    safety = Safety(record.safety)
    call = describe_call(record.operation, record.args)
    fields = [
        ReplyField("Operation", call),
        ReplyField("Safety", safety.value.upper()),
        ReplyField("Cluster / namespace", f"{record.cluster or 'default'} / {record.namespace or '-'}"),
        ReplyField("Target", "/".join(p for p in (record.target_kind, record.target_name) if p) or "-"),
        ReplyField("Requested by", record.requester_name),
        ReplyField("Expires", record.expires_at.strftime("%Y-%m-%d %H:%M UTC")),
    ]
    if record.approvals_needed > 1:
        names = ", ".join(a.name for a in record.approvers) or "none yet"
        fields.append(ReplyField("Approvals", f"{len(record.approvers)}/{record.approvals_needed} ({names})"))
    buttons: tuple[Button, ...] = ()
    if record.state is ApprovalState.PENDING:
        text = f"Approval {record.id} needed: {call}"
        footer = f"Approve with `!approve {record.id}` or deny with `!deny {record.id} [reason]`."
        buttons = (
            Button(ButtonAction.APPROVE, record.id, "Approve", confirm=safety is Safety.DESTRUCTIVE),
            Button(ButtonAction.DENY, record.id, "Deny"),
        )
    else:
        text = f"Approval {record.id}: {state_line(record)}"
        footer = ""
        if record.state is ApprovalState.SUCCEEDED and record.undo:
            buttons = (Button(ButtonAction.UNDO, record.id, "Undo"),)
            footer = f"Undo with `!undo {record.id}` ({record.undo.get('summary', 'inverse operation')})."
    if record.result_text and record.state in (ApprovalState.SUCCEEDED, ApprovalState.FAILED):
        fields.append(ReplyField("Result", record.result_text[:1000]))
    return Reply(
        text=text + (f"\n{footer}" if footer else ""),
        kind=ReplyKind.APPROVAL,
        code=record.preview,
        fields=tuple(fields),
        buttons=buttons,
        approval_id=record.id,
    )


def state_line(record: ApprovalRecord) -> str:
    by = record.decided_by or "someone"
    return {
        ApprovalState.PENDING: "waiting for approval",
        ApprovalState.APPROVED: f"approved by {by}",
        ApprovalState.EXECUTING: f"approved by {by}; running",
        ApprovalState.SUCCEEDED: f"approved by {by}; succeeded",
        ApprovalState.FAILED: f"approved by {by}; failed",
        ApprovalState.OUTCOME_UNKNOWN: "outcome unknown (the bot stopped while it ran); check the cluster",
        ApprovalState.DENIED: f"denied by {by}" + (f" ({record.reason})" if record.reason else ""),
        ApprovalState.CANCELLED: "cancelled by the requester",
        ApprovalState.EXPIRED: "expired; ask again",
    }[record.state]


def outcome_replies(outcome: Outcome) -> list[Reply]:
    if outcome.status is Status.APPROVAL_REQUIRED and outcome.approval is not None:
        if outcome.approval.state is ApprovalState.PENDING and outcome.approval.approvers:
            return [Reply(outcome.text, kind=ReplyKind.INFO), approval_card(outcome.approval)]
        return [approval_card(outcome.approval)]
    header = ""
    if outcome.call and outcome.safety is not None:
        header = f"[{outcome.safety.value}] {outcome.call}\n"
    result = outcome.result
    if outcome.status is Status.DENIED:
        return [Reply(header + outcome.text, kind=ReplyKind.DENIED)]
    if outcome.status is Status.ERROR:
        replies = [Reply(header + outcome.text, kind=ReplyKind.ERROR)]
    else:
        replies = [
            Reply(
                header + (result.text if result else outcome.text),
                kind=ReplyKind.RESULT,
                code=result.code if result else None,
                table=result.table if result else None,
                files=result.files if result else (),
            )
        ]
    if outcome.approval is not None and outcome.approval.state is not ApprovalState.PENDING:
        replies.append(approval_card(outcome.approval))
    return replies


def is_refusal(action: ButtonAction, outcome: Outcome, approval_id: str) -> bool:
    """True when the click changed nothing others need to see: refused, too late, or one of several."""
    if outcome.result is not None or outcome.started_in_background:
        return False  # something ran: its result is public
    approval = outcome.approval
    if outcome.status is Status.ERROR:
        return True
    if outcome.status is Status.DENIED:
        decided = (
            approval is not None and approval.id == approval_id and approval.state is ApprovalState.DENIED
        )
        return not (action is ButtonAction.DENY and decided)
    if outcome.status is Status.APPROVAL_REQUIRED:
        return approval is not None and approval.id == approval_id  # "approved by you; needs N more"
    return False


def builtin_status(replies: Sequence[Reply]) -> str:
    """What `!history` and the audit trail record for a built-in: a refused `!approve` is not "ok"."""
    kinds = {r.kind for r in replies}
    if ReplyKind.DENIED in kinds:
        return "denied"
    return "error" if ReplyKind.ERROR in kinds else "ok"
