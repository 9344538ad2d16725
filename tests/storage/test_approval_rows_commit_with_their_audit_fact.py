"""A new approval row and its audit fact (and history rows) are written in one transaction."""

from __future__ import annotations

import asyncio

import pytest

from storage import Store
from storage.errors import StorageError
from storage.records import AuditEvent, AuditFilter, NewMessage
from tests.storage.approval_factory import new_approval


def message(content: str, role: str = "user") -> NewMessage:
    return NewMessage(platform="slack", channel="C1", thread=None, user_id="U1", role=role, content=content)


async def test_the_prepared_record_is_what_the_database_hands_back(store: Store) -> None:
    prepared = store.prepare_approval(new_approval(args={"name": "web", "replicas": 3, "labels": ["a"]}))
    fact = AuditEvent(event="approval.requested", approval_id=prepared.record.id, status="pending")
    rows = await store.append_audit_many(
        [fact], approvals=[prepared], messages=[message("scale web"), message("asked", "tool")]
    )
    assert rows[0].approval_id == prepared.record.id
    assert await store.get_approval(prepared.record.id) == prepared.record
    history = await store.conversation(platform="slack", channel="C1", thread=None)
    assert [(m.role, m.content) for m in history] == [("user", "scale web"), ("tool", "asked")]


async def test_a_refused_row_leaves_neither_the_row_nor_the_fact(store: Store) -> None:
    prepared = store.prepare_approval(new_approval())
    await store.append_audit_many([AuditEvent(event="approval.requested")], approvals=[prepared])
    with pytest.raises(StorageError):  # the same id again: the database refuses the row
        await store.append_audit_many(
            [AuditEvent(event="approval.requested", status="again")],
            approvals=[prepared],
            messages=[message("lost")],
        )
    facts = await store.list_audit(AuditFilter(limit=10))
    assert [f.status for f in facts] == [None]
    assert len(await store.list_approvals()) == 1
    assert await store.conversation(platform="slack", channel="C1", thread=None) == []
    assert (await store.verify_audit()).ok


async def test_a_refused_row_fails_only_its_own_request_when_appends_share_a_transaction(
    store: Store,
) -> None:
    taken = store.prepare_approval(new_approval())
    await store.append_audit_many([AuditEvent(event="approval.requested", status="first")], approvals=[taken])
    fresh = store.prepare_approval(new_approval())
    results = await asyncio.gather(
        store.append_audit_many([AuditEvent(event="approval.requested", status="dup")], approvals=[taken]),
        store.append_audit_many(
            [AuditEvent(event="approval.requested", status="fresh")],
            approvals=[fresh],
            messages=[message("kept")],
        ),
        store.append_audit_many([AuditEvent(event="reply.sent", status="other")]),
        return_exceptions=True,
    )
    assert isinstance(results[0], StorageError)
    assert not isinstance(results[1], BaseException) and not isinstance(results[2], BaseException)
    facts = await store.list_audit(AuditFilter(limit=10))
    assert [f.status for f in facts] == ["first", "fresh", "other"]
    assert await store.get_approval(fresh.record.id) == fresh.record
    assert [m.content for m in await store.conversation(platform="slack", channel="C1", thread=None)] == [
        "kept"
    ]
    assert (await store.verify_audit()).ok
