"""Two bot processes on one machine: the second one's start never settles the first one's running change.

Each process has its own instance id and lease; the reconciler settles a row
only when its owner is gone (lease lapsed, or its pid gone on this host).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

from bot.domain.outcomes import now_utc
from bot.gate.instance import host_key
from storage.instances import InstanceRecord
from storage.records import ApprovalState
from tests.core.conftest import open_app
from tests.core.demo_ops import Backend
from tests.core.helpers import msg
from tests.fakes.surface import RecordingSurface


def _id(reply: Any) -> str:
    """A card's approval id (a card always has one)."""
    assert reply.approval_id is not None
    return str(reply.approval_id)


async def _row(store: Any, approval_id: str) -> Any:
    """The approval row, which must exist."""
    row = await store.get_approval(approval_id)
    assert row is not None
    return row


async def _wait_for(path: Path) -> None:
    while not path.exists():
        await asyncio.sleep(0.01)


async def test_second_console_start_does_not_touch_a_running_change(
    database_url: str, tmp_path: Path
) -> None:
    flag = tmp_path / "started"
    first_backend = Backend(started_flag=flag, slow_seconds=0.5)
    first = await open_app(database_url, first_backend)
    second = await open_app(database_url, Backend())
    try:
        assert first.instance_id != second.instance_id
        card = (await first.router.handle(msg("!demo scale web --replicas 5")))[0]
        running = asyncio.create_task(first.router.handle(msg(f"!approve {_id(card)}")))
        await asyncio.wait_for(_wait_for(flag), timeout=30)
        assert (await _row(second.store, _id(card))).state is ApprovalState.EXECUTING
        assert await second.start() == []
        assert await second.desk.reconcile() == []
        replies = await running
        assert "scaled 2 → 5" in replies[0].text
        row = await _row(first.store, _id(card))
        assert row.state is ApprovalState.SUCCEEDED and row.undo is not None
    finally:
        await second.close()
        await first.close()


async def test_rows_of_an_owner_whose_lease_lapsed_are_settled_and_told(
    database_url: str, backend: Backend
) -> None:
    app = await open_app(database_url, backend)
    try:
        ids = []
        for name in ("api", "db"):
            card = (await app.router.handle(msg(f"!demo scale {name} --replicas 3")))[0]
            ids.append(_id(card))
        now = now_utc()
        # Another host's process, lease lapsed: it approved one row and claimed the other.
        await app.store.instances.register(
            InstanceRecord("elsewhere:1:x", "other-host#1", 1, now, now - dt.timedelta(seconds=1))
        )
        # A live process on another host (its pid means nothing here): its rows stay.
        await app.store.instances.register(
            InstanceRecord("live:1:y", "other-host#1", 1, now, now + dt.timedelta(minutes=5))
        )
        approved = await app.store.transition(
            approval_id=ids[0],
            from_state=ApprovalState.PENDING,
            to_state=ApprovalState.APPROVED,
            executor="elsewhere:1:x",
            decided_at=now,
            decided_by="Bob",
        )
        assert approved is not None
        await app.store.transition(
            approval_id=ids[1],
            from_state=ApprovalState.PENDING,
            to_state=ApprovalState.APPROVED,
            executor="live:1:y",
            decided_at=now,
        )
        await app.store.transition(
            approval_id=ids[1],
            from_state=ApprovalState.APPROVED,
            to_state=ApprovalState.EXECUTING,
            executor="live:1:y",
            started_at=now,
        )
        settled = await app.desk.reconcile()
        assert [r.id for r in settled] == [ids[0]]
        assert settled[0].state is ApprovalState.FAILED and settled[0].result_status == "not_run"
        again = await app.router.handle(msg(f"!approve {ids[0]}"))
        assert "nothing ran" in again[0].text
        assert (await _row(app.store, ids[1])).state is ApprovalState.EXECUTING
        assert not [r for r in backend.runs if r[0] == "scale"]
        assert (await app.store.verify_audit()).ok
    finally:
        await app.close()


async def test_a_dead_pid_on_this_host_is_gone_at_once(database_url: str, backend: Backend) -> None:
    proc = await asyncio.create_subprocess_exec("true")
    await proc.wait()  # a pid that no longer exists
    app = await open_app(database_url, backend)
    try:
        card = (await app.router.handle(msg("!demo scale api --replicas 3")))[0]
        now = now_utc()
        await app.store.instances.register(
            InstanceRecord("dead:1:z", host_key(), proc.pid, now, now + dt.timedelta(minutes=5))
        )
        await app.store.transition(
            approval_id=_id(card),
            from_state=ApprovalState.PENDING,
            to_state=ApprovalState.APPROVED,
            executor="dead:1:z",
            decided_at=now,
        )
        await app.store.transition(
            approval_id=_id(card),
            from_state=ApprovalState.APPROVED,
            to_state=ApprovalState.EXECUTING,
            executor="dead:1:z",
            started_at=now,
        )
        settled = await app.start()
        assert [(r.id, r.state) for r in settled] == [(_id(card), ApprovalState.OUTCOME_UNKNOWN)]
    finally:
        await app.close()


async def test_a_running_bot_settles_and_tells_what_a_dead_one_leaves(
    database_url: str, backend: Backend
) -> None:
    proc = await asyncio.create_subprocess_exec("true")
    await proc.wait()
    app = await open_app(database_url, backend, server={"instance_lease_s": 3})
    console = RecordingSurface("console")  # where the requester (a console user) hears of it
    app.surfaces.register(console)
    try:
        assert await app.start() == []
        card = (await app.router.handle(msg("!demo scale api --replicas 3")))[0]
        now = now_utc()
        await app.store.instances.register(
            InstanceRecord("dead:2:w", host_key(), proc.pid, now, now + dt.timedelta(minutes=5))
        )
        await app.store.transition(
            approval_id=_id(card),
            from_state=ApprovalState.PENDING,
            to_state=ApprovalState.APPROVED,
            executor="dead:2:w",
            decided_at=now,
        )
        told = await console.wait_for(console.notices, timeout=60)  # the next lease renewal settles it
        assert len(told) == 1 and "nothing ran" in told[0] and _id(card) in told[0]
        (shown,) = console.cards(_id(card))  # the card, posted with its state
        assert "failed" in shown.reply.text or "nothing ran" in shown.text
        assert not [r for r in backend.runs if r[0] == "scale"]
    finally:
        await app.close()
