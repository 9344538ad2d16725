"""The words `--status` takes in `!audit` and `chatops audit list|export`.

The audit trail stores the executor's words (`ok`, `error`, `approval_required`…); cards
and people say `succeeded`, `failed`, `waiting`. Both are accepted here and turned into
the stored word; anything else is refused with the list, never silently matched to nothing.
"""

from __future__ import annotations

STATUSES = (
    "ok",
    "error",
    "no_data",
    "denied",
    "approval_required",
    "pending",
    "approved",
    "expired",
    "cancelled",
    "outcome_unknown",
    "invalid",
    "refused",
    "rbac",
    "preview_failed",
    "kubeconfig_pasted",
    "limited",
    "messages",
    "message_size",
    "llm_calls",
    "agent_turns",
    "approve",
    "deny",
    "undo",
)
SYNONYMS = {
    "succeeded": "ok",
    "success": "ok",
    "done": "ok",
    "failed": "error",
    "failure": "error",
    "waiting": "approval_required",
    "approval-required": "approval_required",
    "unknown": "outcome_unknown",
}
HELP = (
    "one of: " + ", ".join(STATUSES) + " (also succeeded = ok, failed = error, waiting = approval_required)"
)


def stored_status(word: str) -> str:
    """The stored word for what a person typed; ValueError (with the list) for anything else."""
    value = SYNONYMS.get(word.strip().lower(), word.strip().lower())
    if value not in STATUSES:
        raise ValueError(f"--status {word!r} is not a status the audit trail records; use {HELP}")
    return value
