"""Descriptive audit facts may wait only inside a routed request, never past its reply."""

from __future__ import annotations

from bot.domain.models import Principal
from bot.domain.outcomes import RequestContext
from storage.records import AuditFilter
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg


async def test_a_routed_read_has_every_fact_and_its_message_written_when_the_reply_returns(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend)
    await app.router.handle(msg("!demo get web"))
    events = [r.event for r in await app.store.list_audit(AuditFilter(limit=100))]
    history = await app.store.recent_for_user(platform="console", user_id="alice")
    assert events == [
        "message.received",
        "command.parsed",
        "operation.proposed",
        "policy.decided",
        "execution.started",
        "execution.finished",
        "reply.sent",
    ]
    assert [m.role for m in history] == ["assistant", "user"]


async def test_a_call_outside_the_router_waits_for_nothing(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend)
    ctx = RequestContext(Principal("discord", "u1", "U"), "c1", None, "lookup-1", origin="command")
    await app.executor.submit("demo_get", {"name": "web"}, ctx)
    events = [r.event for r in await app.store.list_audit(AuditFilter(limit=100))]
    assert events == ["operation.proposed", "policy.decided", "execution.started", "execution.finished"]


async def test_submit_without_filing_never_creates_an_approval(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend, policy={"channels": {"c1": {"mode": "paranoid"}}})
    ctx = RequestContext(Principal("console", "u1", "U"), "c1", None, "lookup-2", origin="command")
    outcome = await app.executor.submit("demo_get", {"name": "web"}, ctx, file_approvals=False)
    assert "nothing was filed" in outcome.text
    assert await app.store.list_approvals() == [] and backend.runs == []
