"""An approval row as something to run: the stored call checked, who asked for it, its result kept.

The executor runs only what a row stores, never arguments from a button or a model;
before it does, the stored call must still name an operation of this bot, match the
digest taken when it was filed, and pass the operation's argument model.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from bot.domain.models import Principal
from bot.domain.outcomes import args_digest, now_utc
from bot.gate.ports import ApprovalRepository
from bot.settings.legacy import qualify_stored_groups
from storage.records import ApprovalRecord, ApprovalState
from tools.base import Args, Operation, OperationResult, describe_invalid_args
from tools.redact import redact_text
from tools.registry import Registry

MAX_RESULT_TEXT = 8000


def stored_call(registry: Registry, record: ApprovalRecord) -> tuple[Operation, Args] | str:
    """The operation and arguments a row stores, or why they cannot run (nothing has run)."""
    operation = registry.get(record.operation)
    if operation is None:
        return f"operation {record.operation} no longer exists in this bot"
    if args_digest(record.operation, record.args) != record.args_sha256:
        return "the stored arguments do not match their digest; nothing ran"
    try:
        return operation, operation.parse_args(record.args)
    except ValidationError as e:
        return f"stored arguments are no longer valid: {describe_invalid_args(e)}"


def requester_of(record: ApprovalRecord) -> Principal:
    """The person who asked for the change (an approval never grants more than they have),
    with the memberships they had when they asked (rows from before memberships translated)."""
    memberships = qualify_stored_groups(record.requester_platform, record.requester_groups)
    return Principal(record.requester_platform, record.requester_id, record.requester_name, memberships)


def undo_row(result: OperationResult) -> dict[str, Any] | None:
    """What the row keeps of a run's undo plan (filed for approval when someone asks to undo)."""
    if result.undo is None:
        return None
    return {
        "operation": result.undo.operation,
        "args": dict(result.undo.args),
        "summary": result.undo.summary,
    }


async def finish_row(
    approvals: ApprovalRepository, claimed: ApprovalRecord, result: OperationResult
) -> tuple[ApprovalRecord, ApprovalState]:
    """executing → succeeded | failed, with the redacted result, prior state and undo plan."""
    state = ApprovalState.SUCCEEDED if result.ok else ApprovalState.FAILED
    final = await approvals.transition(
        approval_id=claimed.id,
        from_state=ApprovalState.EXECUTING,
        to_state=state,
        finished_at=now_utc(),
        result_status=result.status.value,
        result_text=redact_text(result.text)[:MAX_RESULT_TEXT],
        undo=undo_row(result),
        prior_state=dict(result.prior_state) if result.prior_state is not None else None,
    )
    if final is None:  # the reconciler of another replica gave up on us meanwhile
        return await approvals.get_approval(claimed.id) or claimed, state
    return final, state
