from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from storage import InvalidStorageInput, Store
from storage.approvals import ID_ALPHABET
from storage.records import ApprovalState, Approver
from tests.storage.approval_factory import new_approval

CALLERS = 20


def approver(user_id: str) -> Approver:
    return Approver(platform="slack", user_id=user_id, name=user_id.lower(), at=dt.datetime.now(dt.UTC))


async def test_a_new_approval_is_pending_at_version_1_with_a_typable_id(store: Store) -> None:
    record = await store.create_approval(new_approval())

    assert record.state is ApprovalState.PENDING
    assert record.version == 1
    assert len(record.id) == 8 and set(record.id) <= set(ID_ALPHABET)
    assert record.created_at.tzinfo is not None and record.expires_at.utcoffset() == dt.timedelta(0)
    assert record.args == {"namespace": "shop", "name": "web", "replicas": 3}
    assert record.binding == {"resourceVersion": "123", "uid": "abc"}
    assert record.approvers == ()
    assert await store.get_approval(record.id) == record


async def test_twenty_concurrent_approvals_produce_exactly_one_winner(store: Store, db_url: str) -> None:
    created = await store.create_approval(new_approval())
    callers = [await Store.open(db_url, migrate=False) for _ in range(CALLERS)]
    try:
        results = await asyncio.gather(
            *(
                s.transition(
                    approval_id=created.id,
                    from_state=ApprovalState.PENDING,
                    to_state=ApprovalState.APPROVED,
                    decided_by=f"U{i}",
                )
                for i, s in enumerate(callers)
            )
        )
    finally:
        await asyncio.gather(*(s.close() for s in callers))

    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    stored = await store.get_approval(created.id)
    assert stored == winners[0]
    assert stored is not None and stored.state is ApprovalState.APPROVED and stored.version == 2


async def test_twenty_concurrent_approvers_at_one_version_add_exactly_one(store: Store, db_url: str) -> None:
    created = await store.create_approval(new_approval(approvals_needed=2))
    callers = [await Store.open(db_url, migrate=False) for _ in range(CALLERS)]
    try:
        results = await asyncio.gather(
            *(
                s.add_approver(approval_id=created.id, expected_version=1, approver=approver(f"U{i}"))
                for i, s in enumerate(callers)
            )
        )
    finally:
        await asyncio.gather(*(s.close() for s in callers))

    winners = [r for r in results if r is not None]
    assert len(winners) == 1
    stored = await store.get_approval(created.id)
    assert stored is not None and stored.version == 2
    assert [a.user_id for a in stored.approvers] == [a.user_id for a in winners[0].approvers]
    assert len(stored.approvers) == 1


async def test_approvers_accumulate_and_the_same_person_counts_once(store: Store) -> None:
    created = await store.create_approval(new_approval(approvals_needed=2))

    first = await store.add_approver(approval_id=created.id, expected_version=1, approver=approver("U2"))
    assert first is not None and first.version == 2
    again = await store.add_approver(approval_id=created.id, expected_version=2, approver=approver("U2"))
    second = await store.add_approver(approval_id=created.id, expected_version=2, approver=approver("U3"))

    assert again == first
    assert second is not None and [a.user_id for a in second.approvers] == ["U2", "U3"]
    assert second.approvers[0].at.tzinfo is not None


async def test_a_stale_version_or_a_decided_row_loses(store: Store) -> None:
    created = await store.create_approval(new_approval())

    assert (
        await store.add_approver(approval_id=created.id, expected_version=7, approver=approver("U2")) is None
    )
    denied = await store.transition(
        approval_id=created.id, from_state=ApprovalState.PENDING, to_state=ApprovalState.DENIED, reason="no"
    )
    assert denied is not None and denied.reason == "no"
    assert (
        await store.add_approver(approval_id=created.id, expected_version=2, approver=approver("U2")) is None
    )
    assert (
        await store.transition(
            approval_id=created.id,
            from_state=ApprovalState.PENDING,
            to_state=ApprovalState.APPROVED,
        )
        is None
    )
    assert (
        await store.transition(
            approval_id=created.id,
            from_state=ApprovalState.APPROVED,
            to_state=ApprovalState.EXECUTING,
            expected_version=1,
        )
        is None
    )


async def test_the_full_run_records_who_when_and_the_outcome(store: Store) -> None:
    created = await store.create_approval(new_approval())
    now = dt.datetime.now(dt.timezone(dt.timedelta(hours=2)))

    approved = await store.transition(
        approval_id=created.id,
        from_state=ApprovalState.PENDING,
        to_state=ApprovalState.APPROVED,
        expected_version=1,
        decided_by="bob",
        decided_at=now,
    )
    assert approved is not None
    running = await store.transition(
        approval_id=created.id,
        from_state=ApprovalState.APPROVED,
        to_state=ApprovalState.EXECUTING,
        expected_version=approved.version,
        executor="replica-a",
        started_at=now,
        prior_state={"replicas": 2},
    )
    assert running is not None
    assert [r.id for r in await store.executing()] == [created.id]
    done = await store.transition(
        approval_id=created.id,
        from_state=ApprovalState.EXECUTING,
        to_state=ApprovalState.SUCCEEDED,
        finished_at=now,
        result_status="ok",
        result_text="scaled",
        undo={"operation": "k8s_scale_deployment", "args": {"replicas": 2}},
    )

    assert done is not None and done.version == 4 and done.state is ApprovalState.SUCCEEDED
    assert done.decided_by == "bob" and done.executor == "replica-a"
    assert done.decided_at == now and done.decided_at.utcoffset() == dt.timedelta(0)
    assert done.prior_state == {"replicas": 2}
    assert done.undo == {"operation": "k8s_scale_deployment", "args": {"replicas": 2}}
    assert await store.executing() == []


async def test_final_states_and_unknown_fields_are_refused_with_a_sentence(store: Store) -> None:
    created = await store.create_approval(new_approval())

    with pytest.raises(InvalidStorageInput, match="final state"):
        await store.transition(
            approval_id=created.id, from_state=ApprovalState.SUCCEEDED, to_state=ApprovalState.PENDING
        )
    with pytest.raises(InvalidStorageInput, match="cannot set state_hack"):
        await store.transition(
            approval_id=created.id,
            from_state=ApprovalState.PENDING,
            to_state=ApprovalState.APPROVED,
            state_hack="x",
        )
    with pytest.raises(InvalidStorageInput, match="no timezone"):
        await store.transition(
            approval_id=created.id,
            from_state=ApprovalState.PENDING,
            to_state=ApprovalState.APPROVED,
            decided_at=dt.datetime(2025, 1, 1),
        )
    assert (await store.get_approval(created.id)) == created


async def test_approvals_are_listed_newest_first_by_state_requester_and_channel(store: Store) -> None:
    a = await store.create_approval(new_approval(requester_id="U1", channel="C1"))
    b = await store.create_approval(new_approval(requester_id="U2", channel="C1"))
    c = await store.create_approval(new_approval(requester_id="U1", channel="C2"))
    await store.transition(approval_id=b.id, from_state=ApprovalState.PENDING, to_state=ApprovalState.DENIED)

    assert [r.id for r in await store.list_approvals()] == [c.id, b.id, a.id]
    assert [r.id for r in await store.list_approvals(states=[ApprovalState.PENDING])] == [c.id, a.id]
    assert [r.id for r in await store.list_approvals(requester_id="U1", channel="C1")] == [a.id]
    assert [r.id for r in await store.list_approvals(limit=1)] == [c.id]
    assert await store.get_approval("nosuchid") is None
