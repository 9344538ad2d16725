"""Who may approve, expiry, stale bindings, deny / cancel / undo, and failing closed."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App
from bot.domain.models import ButtonAction, Principal, ReplyKind
from storage.records import ApprovalState
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg, slack_roles, state_of


def click(app, user: str, approval_id: str, action: ButtonAction = ButtonAction.APPROVE):
    return app.router.handle_button(
        principal=Principal("slack", user, user),
        action=action,
        approval_id=approval_id,
        channel="ops",
        thread=None,
    )


async def test_self_confirmation_of_a_write_is_accepted(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend, policy=slack_roles(operators=["UOP"]))
    card = (await app.router.handle(msg("!demo scale web --replicas 3", "UOP", platform="slack")))[0]
    assert card.approval_id is not None
    outcome, _ = await click(app, "UOP", card.approval_id)
    assert backend.replicas["web"] == 3, outcome.text


async def test_self_approval_of_a_destructive_change_needs_four_eyes(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend, policy=slack_roles(admins=["UA1", "UA2"]))
    card = (await app.router.handle(msg("!demo delete web", "UA1", platform="slack")))[0]
    assert card.approval_id is not None
    refused, _ = await click(app, "UA1", card.approval_id)
    assert "someone other than the requester" in refused.text
    assert "web" in backend.replicas
    accepted, _ = await click(app, "UA2", card.approval_id)
    assert "web" not in backend.replicas, accepted.text


async def test_an_operator_cannot_approve_a_destructive_change(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend, policy=slack_roles(admins=["UA1"], operators=["UOP"]))
    card = (await app.router.handle(msg("!demo delete web", "UA1", platform="slack")))[0]
    assert card.approval_id is not None
    refused, _ = await click(app, "UOP", card.approval_id)
    assert "needs the admin role" in refused.text
    record = await app.store.get_approval(card.approval_id)
    assert record is not None
    assert record.state is ApprovalState.PENDING and not record.approvers


async def test_two_destructive_approvers_when_configured(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    policy = {**slack_roles(admins=["UA1", "UA2", "UA3"]), "approvals": {"destructive_approvers": 2}}
    app = await apps.open(sqlite_url, backend, policy=policy)
    card = (await app.router.handle(msg("!demo delete web", "UA1", platform="slack")))[0]
    assert card.approval_id is not None
    first, _ = await click(app, "UA2", card.approval_id)
    assert "needs 1 more" in first.text and "web" in backend.replicas
    await click(app, "UA3", card.approval_id)
    assert "web" not in backend.replicas


async def test_an_expired_approval_answers_ask_again_and_never_runs(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend)
    card = (await app.router.handle(msg("!demo scale web --replicas 3")))[0]
    engine = create_async_engine(sqlite_url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE approvals SET expires_at = :t"), {"t": "2000-01-01 00:00:00"})
    await engine.dispose()
    replies = await app.router.handle(msg(f"!approve {card.approval_id}"))
    assert "expired" in replies[0].text and "ask again" in replies[0].text
    assert backend.replicas["web"] == 2
    assert await state_of(app.store, card.approval_id) is ApprovalState.EXPIRED


async def test_a_change_made_after_approval_stops_the_run(app: App, backend: Backend) -> None:
    card = (await app.router.handle(msg("!demo scale web --replicas 3")))[0]
    backend.versions["web"] += 1  # someone else changed the object meanwhile
    replies = await app.router.handle(msg(f"!approve {card.approval_id}"))
    assert "changed since approval" in replies[0].text
    assert backend.replicas["web"] == 2
    assert await state_of(app.store, card.approval_id) is ApprovalState.FAILED


async def test_deny_cancel_and_undo(app: App, backend: Backend) -> None:
    denied = (await app.router.handle(msg("!demo scale web --replicas 3")))[0]
    replies = await app.router.handle(msg(f"!deny {denied.approval_id} not now"))
    assert "denied by Alice (not now)" in replies[0].text
    cancelled = (await app.router.handle(msg("!demo scale web --replicas 4")))[0]
    other = await app.router.handle(msg(f"!cancel {cancelled.approval_id}", "bob"))
    assert "Only Alice" in other[0].text
    mine = await app.router.handle(msg(f"!cancel {cancelled.approval_id}"))
    assert "cancelled" in mine[0].text
    card = (await app.router.handle(msg("!demo scale web --replicas 6")))[0]
    done = await app.router.handle(msg(f"!approve {card.approval_id}"))
    assert backend.replicas["web"] == 6
    assert any(b.action is ButtonAction.UNDO for r in done for b in r.buttons)
    undo_card = (await app.router.handle(msg(f"!undo {card.approval_id}")))[0]
    assert undo_card.kind is ReplyKind.APPROVAL and undo_card.code == "app/web: replicas 6 → 2"
    await app.router.handle(msg(f"!approve {undo_card.approval_id}"))
    assert backend.replicas["web"] == 2
    assert [r[0] for r in backend.runs].count("scale") == 2


async def test_nothing_runs_when_the_audit_trail_cannot_be_written(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend)
    card = (await app.router.handle(msg("!demo scale web --replicas 3")))[0]
    engine = create_async_engine(sqlite_url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("ALTER TABLE audit_events RENAME TO audit_events_gone"))
    await engine.dispose()
    replies = await app.router.handle(msg(f"!approve {card.approval_id}"))
    assert "nothing was done" in replies[0].text or "Nothing ran" in replies[0].text
    assert backend.replicas["web"] == 2 and not [r for r in backend.runs if r[0] == "scale"]
