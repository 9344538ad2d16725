"""Audit event names: every fact the bot writes to the audit trail, as one enum.

A member's value is the name stored in audit rows and hashed into the chain;
never change one (rows already written, `!audit --event` and webhook receivers
read it). Each member also says whether it only describes a request on its way
(`is_deferrable`: written with the request's next essential fact) and which
outbound webhook event, if any, it becomes. Nothing here writes or sends.
"""

from __future__ import annotations

from enum import StrEnum


class WebhookEvent(StrEnum):
    """What an outbound webhook delivery says it is (`X-Chatops-Event`, the config's `events`)."""

    QUERY_PROCESSED = "query.processed"
    OPERATION_PROPOSED = "operation.proposed"
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_DECIDED = "approval.decided"
    OPERATION_EXECUTED = "operation.executed"
    OPERATION_FAILED = "operation.failed"
    ALERT_TRIGGERED = "alert.triggered"
    ALERT_RESOLVED = "alert.resolved"


class AuditEvent(StrEnum):
    # a request on its way
    MESSAGE_RECEIVED = "message.received"
    COMMAND_PARSED = "command.parsed"
    COMMAND_INVALID = "command.invalid"
    BUTTON_CLICKED = "button.clicked"
    REQUEST_LIMITED = "request.limited"
    REQUEST_REFUSED = "request.refused"
    REQUEST_INVALID = "request.invalid"
    OPERATION_PROPOSED = "operation.proposed"
    POLICY_DECIDED = "policy.decided"
    # approvals
    APPROVAL_REQUESTED = "approval.requested"
    APPROVAL_PARTIAL = "approval.partial"
    APPROVAL_DECIDED = "approval.decided"
    APPROVAL_REFUSED = "approval.refused"
    APPROVAL_CANCELLED = "approval.cancelled"
    APPROVAL_EXPIRED = "approval.expired"
    # running
    EXECUTION_STARTED = "execution.started"
    EXECUTION_FINISHED = "execution.finished"
    EXECUTION_OUTCOME_UNKNOWN = "execution.outcome_unknown"
    EXECUTION_NOT_RUN = "execution.not_run"
    # answers and built-ins
    REPLY_SENT = "reply.sent"
    CHANNEL_DEFAULTS = "channel.defaults"
    MEMORY_FORGOTTEN = "memory.forgotten"
    WATCH_SUBSCRIBED = "watch.subscribed"
    WATCH_UNSUBSCRIBED = "watch.unsubscribed"
    # alerts and cluster events
    ALERT_RECEIVED = "alert.received"
    ALERT_CARD_POSTED = "alert.card_posted"
    ALERT_CLICKED = "alert.clicked"
    ALERT_ACKNOWLEDGED = "alert.acknowledged"
    ALERT_SILENCE_EXPIRED = "alert.silence_expired"  # an approved silence "until resolved", ended on resolve

    @property
    def is_deferrable(self) -> bool:
        """Only describes a request on its way: may wait for the request's next essential fact."""
        return self in _DEFERRABLE

    def webhook_event(self, status: str | None) -> WebhookEvent | None:
        """The webhook event a row of this event with this status becomes, if any."""
        if self is AuditEvent.EXECUTION_FINISHED:
            ran = status in ("ok", "no_data")
            return WebhookEvent.OPERATION_EXECUTED if ran else WebhookEvent.OPERATION_FAILED
        if self is AuditEvent.ALERT_RECEIVED:
            return WebhookEvent.ALERT_RESOLVED if status == "resolved" else WebhookEvent.ALERT_TRIGGERED
        if self is AuditEvent.REPLY_SENT:
            return WebhookEvent.QUERY_PROCESSED if status == "agent" else None
        return _SAME_NAME.get(self)


_DEFERRABLE = frozenset(
    {
        AuditEvent.MESSAGE_RECEIVED,
        AuditEvent.COMMAND_PARSED,
        AuditEvent.OPERATION_PROPOSED,
        AuditEvent.POLICY_DECIDED,
        AuditEvent.BUTTON_CLICKED,
    }
)

# Audit facts sent out under their own name.
_SAME_NAME = {
    AuditEvent.OPERATION_PROPOSED: WebhookEvent.OPERATION_PROPOSED,
    AuditEvent.APPROVAL_REQUESTED: WebhookEvent.APPROVAL_REQUESTED,
    AuditEvent.APPROVAL_DECIDED: WebhookEvent.APPROVAL_DECIDED,
}


def webhook_event_of(event: str, status: str | None) -> WebhookEvent | None:
    """The webhook event of a stored row (its event as stored); None for names not in the enum."""
    try:
        member = AuditEvent(event)
    except ValueError:
        return None
    return member.webhook_event(status)
