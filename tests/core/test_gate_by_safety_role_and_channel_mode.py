"""The gate in code: what each role may request, per channel mode, whatever the text says."""

from __future__ import annotations

import pytest

from bot.domain.models import Reply, ReplyKind
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg, slack_roles

COMMANDS = {
    "read": "!demo get web",
    "write": "!demo scale web --replicas 3",
    "destructive": "!demo delete web",
}

# (role, safety) -> what happens in an 'approve' channel
EXPECTED_APPROVE_MODE = {
    ("viewer", "read"): "ran",
    ("viewer", "write"): "denied",
    ("viewer", "destructive"): "denied",
    ("operator", "read"): "ran",
    ("operator", "write"): "card",
    ("operator", "destructive"): "denied",
    ("admin", "read"): "ran",
    ("admin", "write"): "card",
    ("admin", "destructive"): "card",
}


def expected(role: str, safety: str, mode: str) -> str:
    base = EXPECTED_APPROVE_MODE[(role, safety)]
    if base == "denied":
        return "denied"
    if mode == "read-only" and safety != "read":
        return "denied"
    if mode == "suggest-only" and safety != "read":
        return "suggested"
    if mode == "paranoid" and safety == "read":
        return "card"
    return base


def classify(replies: list[Reply]) -> str:
    first = replies[0]
    if first.kind is ReplyKind.APPROVAL:
        return "card"
    if first.kind is ReplyKind.DENIED:
        return "suggested" if "Suggested" in first.text else "denied"
    if first.kind is ReplyKind.RESULT:
        return "ran"
    return f"other: {first.kind} {first.text}"


@pytest.mark.parametrize("mode", ["approve", "read-only", "suggest-only", "paranoid"])
@pytest.mark.parametrize("role", ["viewer", "operator", "admin"])
@pytest.mark.parametrize("safety", ["read", "write", "destructive"])
async def test_gate_decision(
    apps: Apps, sqlite_url: str, backend: Backend, role: str, safety: str, mode: str
) -> None:
    policy = {
        **slack_roles(admins=["UADMIN"], operators=["UOPS"], viewers=["UVIEW"]),
        "channels": {"C1": {"mode": mode}},
    }
    app = await apps.open(sqlite_url, backend, policy=policy)
    user = {"viewer": "UVIEW", "operator": "UOPS", "admin": "UADMIN"}[role]
    replies = await app.router.handle(msg(COMMANDS[safety], user, platform="slack", channel="C1"))
    assert classify(replies) == expected(role, safety, mode), replies[0].text
    # Nothing that changes state ever ran without an approval.
    assert not [r for r in backend.runs if r[0] != "get"]
    if expected(role, safety, mode) == "denied" and EXPECTED_APPROVE_MODE[(role, safety)] == "denied":
        needed = {"write": "operator", "destructive": "admin"}[safety]
        assert f"needs the {needed} role" in replies[0].text


async def test_scale_to_zero_is_destructive_by_code_not_text(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend, policy=slack_roles(operators=["UOPS"]))
    replies = await app.router.handle(msg("!demo scale web --replicas 0", "UOPS", platform="slack"))
    assert classify(replies) == "denied"
    assert "needs the admin role" in replies[0].text


async def test_rules_deny_destructive_in_matching_namespaces(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    policy = {"rules": [{"safety": "destructive", "namespace": "kube-*", "decision": "deny"}]}
    app = await apps.open(sqlite_url, backend, policy=policy)
    denied = await app.router.handle(msg("!demo delete web -n kube-system"))
    assert classify(denied) == "denied" and "kube-system" in denied[0].text
    allowed = await app.router.handle(msg("!demo delete web -n prod"))
    assert classify(allowed) == "card"
