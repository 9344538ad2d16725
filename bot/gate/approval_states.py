"""One sentence on an approval that can no longer be approved, for whoever clicks or asks.

Used by the desk (a late or duplicate click), the reconciler's notices and
the console at start. Reads a row; changes nothing.
"""

from __future__ import annotations

import datetime as dt

from storage.records import ApprovalRecord, ApprovalState

# result_status of an approved row whose process died before it started: nothing ran.
NOT_RUN = "not_run"


def _when(at: dt.datetime | None) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC") if at else "an unknown time"


def explain_state(record: ApprovalRecord) -> str:
    """One sentence on a row that can no longer be approved."""
    by = record.decided_by or "someone"
    state = record.state
    if state is ApprovalState.FAILED and record.result_status == NOT_RUN:
        return (
            f"Approval {record.id} was approved by {by} at {_when(record.decided_at)}, but the bot "
            "stopped before running it; nothing ran. Ask again if it is still wanted."
        )
    if state in (
        ApprovalState.APPROVED,
        ApprovalState.EXECUTING,
        ApprovalState.SUCCEEDED,
        ApprovalState.FAILED,
    ):
        tail = {
            ApprovalState.APPROVED: "",
            ApprovalState.EXECUTING: "; it is running now",
            ApprovalState.SUCCEEDED: "; it succeeded",
            ApprovalState.FAILED: "; it failed",
        }[state]
        return f"Approval {record.id} was already approved by {by} at {_when(record.decided_at)}{tail}."
    if state is ApprovalState.DENIED:
        return f"Approval {record.id} was already denied by {by} at {_when(record.decided_at)}."
    if state is ApprovalState.CANCELLED:
        return f"Approval {record.id} was cancelled by its requester."
    if state is ApprovalState.EXPIRED:
        return f"Approval {record.id} expired at {_when(record.expires_at)}; ask again."
    if state is ApprovalState.OUTCOME_UNKNOWN:
        return (
            f"Approval {record.id} was running when the bot stopped; its outcome is unknown. "
            "Check the cluster before asking again."
        )
    return f"Approval {record.id} is {state.value}."
