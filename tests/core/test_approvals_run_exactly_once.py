"""Exactly once: concurrent approvals, double clicks and retried events run a change once."""

from __future__ import annotations

import asyncio

from bot.domain.models import ButtonAction, Principal
from storage.records import ApprovalState
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg, slack_roles


async def test_twenty_concurrent_approvals_run_the_change_once(
    apps: Apps, database_url: str, backend: Backend
) -> None:
    approvers = [f"UOP{i}" for i in range(20)]
    app = await apps.open(database_url, backend, policy=slack_roles(operators=["UREQ", *approvers]))
    card = (await app.router.handle(msg("!demo scale web --replicas 5", "UREQ", platform="slack")))[0]
    approval_id = card.approval_id
    assert approval_id

    async def click(user: str) -> str:
        outcome, _ = await app.router.handle_button(
            principal=Principal("slack", user, user),
            action=ButtonAction.APPROVE,
            approval_id=approval_id,
            channel="ops",
            thread=None,
        )
        return outcome.text

    texts = await asyncio.gather(*(click(u) for u in approvers))
    assert [r[0] for r in backend.runs].count("scale") == 1
    assert backend.replicas["web"] == 5
    assert sum("scaled 2 → 5" in t for t in texts) == 1
    assert sum("already" in t for t in texts) == 19
    record = await app.store.get_approval(approval_id)
    assert record is not None and record.state is ApprovalState.SUCCEEDED
    started = [r for r in await app.store.list_audit(_f()) if r.event == "execution.started"]
    assert len(started) == 1


async def test_the_same_event_delivered_four_times_runs_once(
    apps: Apps, database_url: str, backend: Backend
) -> None:
    app = await apps.open(database_url, backend)
    results = await asyncio.gather(
        *(app.router.handle(msg("!demo get web", event_id="Ev1")) for _ in range(4))
    )
    assert sum(1 for replies in results if replies) == 1
    assert len(backend.runs) == 1


async def test_double_click_fifty_ms_apart_runs_once(apps: Apps, sqlite_url: str, backend: Backend) -> None:
    app = await apps.open(sqlite_url, backend, policy=slack_roles(operators=["UREQ", "UOP"]))
    card = (await app.router.handle(msg("!demo scale web --replicas 3", "UREQ", platform="slack")))[0]
    assert card.approval_id is not None
    first = asyncio.create_task(
        app.router.handle_button(
            principal=Principal("slack", "UOP", "Op"),
            action=ButtonAction.APPROVE,
            approval_id=card.approval_id,
            channel="ops",
            thread=None,
        )
    )
    await asyncio.sleep(0.05)
    second, _ = await app.router.handle_button(
        principal=Principal("slack", "UOP", "Op"),
        action=ButtonAction.APPROVE,
        approval_id=card.approval_id,
        channel="ops",
        thread=None,
    )
    await first
    assert "already approved by Op" in second.text
    assert [r[0] for r in backend.runs].count("scale") == 1


def _f():
    from storage.records import AuditFilter

    return AuditFilter(limit=1000)
