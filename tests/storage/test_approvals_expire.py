from __future__ import annotations

import asyncio
import datetime as dt

from storage import Store
from storage.records import ApprovalState
from tests.storage.approval_factory import new_approval


async def test_only_pending_rows_past_their_expiry_expire(store: Store) -> None:
    due = await store.create_approval(new_approval(expires_in=dt.timedelta(minutes=-1)))
    later = await store.create_approval(new_approval(expires_in=dt.timedelta(minutes=10)))
    decided = await store.create_approval(new_approval(expires_in=dt.timedelta(minutes=-1)))
    await store.transition(
        approval_id=decided.id, from_state=ApprovalState.PENDING, to_state=ApprovalState.APPROVED
    )
    now = dt.datetime.now(dt.UTC)

    expired = await store.expire_due(now)

    assert [r.id for r in expired] == [due.id]
    assert expired[0].state is ApprovalState.EXPIRED and expired[0].decided_at == now
    later_now = await store.get_approval(later.id)
    assert later_now is not None and later_now.state is ApprovalState.PENDING
    assert await store.expire_due(now) == []
    assert [r.id for r in await store.expire_due(now + dt.timedelta(minutes=11))] == [later.id]


async def test_an_approval_racing_its_expiry_ends_in_exactly_one_state(store: Store, db_url: str) -> None:
    created = await store.create_approval(new_approval(expires_in=dt.timedelta(seconds=-1)))
    other = await Store.open(db_url, migrate=False)
    try:
        expired, approved = await asyncio.gather(
            store.expire_due(dt.datetime.now(dt.UTC)),
            other.transition(
                approval_id=created.id, from_state=ApprovalState.PENDING, to_state=ApprovalState.APPROVED
            ),
        )
    finally:
        await other.close()

    final = await store.get_approval(created.id)
    assert final is not None and final.version == 2
    assert (len(expired) == 1) != (approved is not None)
    assert final.state is (ApprovalState.EXPIRED if expired else ApprovalState.APPROVED)
