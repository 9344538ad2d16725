"""Deferred facts (a read that ran, an approval filed) still fail closed.

The database itself refuses one audit event (a trigger), on SQLite and on
PostgreSQL: the request's other facts are not written either, nobody sees a
result or a card, no approval row is left behind, and the next request works.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.conversation.unrecorded import REFUSED
from bot.domain.events import AuditEvent
from bot.gate.audit import Auditor, AuditUnavailable
from storage.records import AuditFilter, NewMessage
from storage.store import Store
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg
from tests.storage.approval_factory import new_approval


async def refuse_audit_event(url: str, event: str) -> None:
    """Make the database itself refuse to store audit rows of `event`."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            if url.startswith("sqlite"):
                await conn.execute(
                    sa.text(
                        "CREATE TRIGGER refuse_event BEFORE INSERT ON audit_events "
                        f"WHEN NEW.event = '{event}' BEGIN SELECT RAISE(ABORT, 'refused'); END"
                    )
                )
            else:
                await conn.execute(
                    sa.text(
                        "CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$ "
                        f"BEGIN IF NEW.event = '{event}' THEN RAISE EXCEPTION 'refused'; END IF; "
                        "RETURN NEW; END $$"
                    )
                )
                await conn.execute(
                    sa.text(
                        "CREATE TRIGGER refuse_event BEFORE INSERT ON audit_events "
                        "FOR EACH ROW EXECUTE FUNCTION refuse_event()"
                    )
                )
    finally:
        await engine.dispose()


ROW = NewMessage(platform="slack", channel="C1", thread=None, user_id="U1", role="user", content="x")


async def events_of(store: Store) -> list[str]:
    return [r.event for r in await store.list_audit(AuditFilter(limit=1000))]


async def test_a_refused_fact_takes_the_request_s_waiting_facts_and_rows_with_it(
    database_url: str,
) -> None:
    store = await Store.open(database_url)
    await refuse_audit_event(database_url, "reply.sent")
    auditor = Auditor(store)
    try:
        auditor.begin("r1")
        await auditor.record(AuditEvent.EXECUTION_STARTED, request_id="r1", defer=True)
        await auditor.defer_message("r1", dataclasses.replace(ROW, content="scale web"))
        prepared = store.prepare_approval(new_approval())
        await auditor.record(AuditEvent.APPROVAL_REQUESTED, request_id="r1", approval=prepared, defer=True)
        failed = None
        try:
            await auditor.record(
                AuditEvent.REPLY_SENT, request_id="r1", message=dataclasses.replace(ROW, role="assistant")
            )
        except AuditUnavailable as e:
            failed = e
        assert failed is not None
        auditor.discard("r1")
        assert await events_of(store) == []
        assert await store.get_approval(prepared.record.id) is None
        assert await store.conversation(platform="slack", channel="C1", thread=None) == []
        # Another request is unaffected.
        auditor.begin("r2")
        await auditor.record(AuditEvent.EXECUTION_STARTED, request_id="r2", defer=True)
        await auditor.record(AuditEvent.EXECUTION_FINISHED, request_id="r2")
        await auditor.flush("r2")
        assert await events_of(store) == ["execution.started", "execution.finished"]
        assert (await store.verify_audit()).ok
    finally:
        await store.close()


async def test_waiting_facts_commit_in_order_with_the_next_essential_one(database_url: str) -> None:
    store = await Store.open(database_url)
    auditor = Auditor(store)
    try:
        auditor.begin("r1")
        await auditor.record(AuditEvent.MESSAGE_RECEIVED, request_id="r1")
        await auditor.record(AuditEvent.EXECUTION_STARTED, request_id="r1", defer=True)
        await auditor.record(AuditEvent.EXECUTION_FINISHED, request_id="r1", defer=True)
        prepared = store.prepare_approval(new_approval())
        await auditor.record(AuditEvent.APPROVAL_REQUESTED, request_id="r1", approval=prepared, defer=True)
        assert await events_of(store) == [] and await store.get_approval(prepared.record.id) is None
        row = await auditor.record(AuditEvent.REPLY_SENT, request_id="r1")
        assert row is not None and row.event == "reply.sent"
        assert await events_of(store) == [
            "message.received",
            "execution.started",
            "execution.finished",
            "approval.requested",
            "reply.sent",
        ]
        assert await store.get_approval(prepared.record.id) == prepared.record
        await auditor.flush("r1")
    finally:
        await store.close()


async def test_outside_a_routed_request_nothing_waits(database_url: str) -> None:
    store = await Store.open(database_url)
    auditor = Auditor(store)
    try:
        prepared = store.prepare_approval(new_approval())
        await auditor.record(
            AuditEvent.APPROVAL_REQUESTED, request_id="lookup", approval=prepared, defer=True
        )
        assert await events_of(store) == ["approval.requested"]
        assert await store.get_approval(prepared.record.id) == prepared.record
    finally:
        await store.close()


async def test_a_read_whose_fact_cannot_be_written_shows_nothing(
    apps: Apps, database_url: str, backend: Backend
) -> None:
    app = await apps.open(database_url, backend)
    await refuse_audit_event(database_url, "execution.started")
    replies = await app.router.handle(msg("!demo get web"))
    assert [r.text for r in replies] == [REFUSED]  # a trigger refused it: not an outage
    assert "reply.sent" not in await events_of(app.store)
    assert await app.store.recent_for_user(platform="console", user_id="alice") == []


async def test_an_approval_whose_fact_cannot_be_written_is_not_filed(
    apps: Apps, database_url: str, backend: Backend
) -> None:
    app = await apps.open(database_url, backend)
    await refuse_audit_event(database_url, "approval.requested")
    replies = await app.router.handle(msg("!demo scale web --replicas 3"))
    assert [r.text for r in replies] == [REFUSED]  # a trigger refused it: not an outage
    # The row and its fact share one transaction: neither exists.
    assert await app.store.list_approvals() == []
    assert backend.runs == []
