"""Audit event names are one enum: every writer names a member, stored names never change.

The enum also carries what used to be kept in step by hand: which facts may wait for
the request's next essential one, and which become which outbound webhook event.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.domain.events import AuditEvent, WebhookEvent, webhook_event_of
from bot.domain.models import ButtonAction, Principal
from storage.records import AuditFilter
from tests.core.fixtures import Apps
from tests.core.helpers import msg, slack_roles

BOT = Path(__file__).resolve().parents[2] / "bot"
# Auditor.record and Executor.record take the event first; ApprovalDesk._record_system(row, event).
WRITERS = {"record": 0, "_record_system": 1}

# The names stored in audit rows and hashed into the chain: changing one breaks
# `!audit --event`, old rows and webhook receivers, so this list only ever grows.
STORED_NAMES = {
    "message.received",
    "command.parsed",
    "command.invalid",
    "button.clicked",
    "request.limited",
    "request.refused",
    "request.invalid",
    "operation.proposed",
    "policy.decided",
    "approval.requested",
    "approval.partial",
    "approval.decided",
    "approval.refused",
    "approval.cancelled",
    "approval.expired",
    "execution.started",
    "execution.finished",
    "execution.outcome_unknown",
    "execution.not_run",
    "reply.sent",
    "channel.defaults",
    "memory.forgotten",
    "watch.subscribed",
    "watch.unsubscribed",
    "alert.received",
    "alert.card_posted",
    "alert.clicked",
    "alert.acknowledged",
    "alert.silence_expired",
}


def _writer_calls() -> list[tuple[str, int, ast.expr]]:
    """(file, line, first argument) of every call to an audit writer in bot/."""
    calls = []
    for path in sorted(BOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in WRITERS and len(node.args) > WRITERS[name]:
                calls.append((str(path.relative_to(BOT.parent)), node.lineno, node.args[WRITERS[name]]))
    return calls


def test_every_audit_writer_call_names_a_member_of_the_enum() -> None:
    calls = _writer_calls()
    assert len(calls) >= 30, "the scan found too few audit writes; did a writer get renamed?"
    wrong = []
    for where, line, arg in calls:
        named = (
            isinstance(arg, ast.Attribute)
            and isinstance(arg.value, ast.Name)
            and arg.value.id == "AuditEvent"
            and arg.attr in AuditEvent.__members__
        )
        passed_on = isinstance(arg, ast.Name) and arg.id == "event"  # a writer handing its argument on
        if not (named or passed_on):
            wrong.append(f"{where}:{line}: {ast.unparse(arg)}")
    assert wrong == []


def test_no_event_name_is_spelled_as_a_string_in_bot() -> None:
    names = {e.value for e in AuditEvent}
    spelled = []
    for path in sorted(BOT.rglob("*.py")):
        if path.name == "events.py" and path.parent.name == "domain":
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Constant) and node.value in names:
                spelled.append(f"{path.relative_to(BOT.parent)}:{node.lineno}: {node.value!r}")
    assert spelled == []


def test_stored_names_are_unchanged() -> None:
    assert {e.value for e in AuditEvent} == STORED_NAMES


def test_only_descriptive_facts_are_deferrable() -> None:
    assert {e.value for e in AuditEvent if e.is_deferrable} == {
        "message.received",
        "command.parsed",
        "operation.proposed",
        "policy.decided",
        "button.clicked",
    }


@pytest.mark.parametrize(
    ("event", "status", "webhook"),
    [
        ("operation.proposed", None, "operation.proposed"),
        ("approval.requested", "pending", "approval.requested"),
        ("approval.decided", "denied", "approval.decided"),
        ("execution.finished", "ok", "operation.executed"),
        ("execution.finished", "no_data", "operation.executed"),
        ("execution.finished", "error", "operation.failed"),
        ("reply.sent", "agent", "query.processed"),
        ("reply.sent", "ok", None),
        ("execution.started", None, None),
        ("message.received", None, None),
        ("alert.received", "firing", "alert.triggered"),
        ("alert.received", "resolved", "alert.resolved"),
        ("alert.card_posted", "firing", None),
        ("something.else", "ok", None),  # a row from a newer version: no delivery, no error
    ],
)
def test_which_facts_become_which_webhook_event(event: str, status: str | None, webhook: str | None) -> None:
    assert webhook_event_of(event, status) == webhook
    assert webhook is None or webhook in {w.value for w in WebhookEvent}


async def test_every_fact_a_conversation_stores_is_a_member(apps: Apps, sqlite_url: str) -> None:
    app = await apps.open(sqlite_url, policy=slack_roles(operators=["UREQ", "UOP"]))
    await app.router.handle(msg("!demo get web", "UREQ", platform="slack"))
    await app.router.handle(msg("!no-such-command", "UREQ", platform="slack"))
    card = (await app.router.handle(msg("!demo scale web --replicas 3", "UREQ", platform="slack")))[0]
    assert card.approval_id
    await app.router.handle_button(
        principal=Principal("slack", "UOP", "Op"),
        action=ButtonAction.APPROVE,
        approval_id=card.approval_id,
        channel="ops",
        thread=None,
    )
    stored = {r.event for r in await app.store.list_audit(AuditFilter(limit=1000))}
    assert stored <= STORED_NAMES
    assert {"execution.finished", "approval.decided", "command.invalid", "reply.sent"} <= stored
