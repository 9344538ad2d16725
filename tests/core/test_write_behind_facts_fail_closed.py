"""Facts written behind (a read that ran, an approval filed) still fail closed.

The database itself refuses one audit event (a trigger), on SQLite and on
PostgreSQL: the request's later facts are then not written either, nobody sees
a result or a card, no approval row is left behind, and the next request works.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.audit import Auditor, AuditUnavailable
from bot.router import UNRECORDED
from storage.records import AuditFilter
from storage.store import Store
from tests.core.demo_ops import Backend
from tests.core.fixtures import open_app
from tests.core.helpers import msg


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


async def events_of(store: Store) -> list[str]:
    return [r.event for r in await store.list_audit(AuditFilter(limit=1000))]


async def test_a_failed_behind_write_stops_every_later_fact_of_the_request(database_url: str) -> None:
    store = await Store.open(database_url)
    await refuse_audit_event(database_url, "first.fact")
    auditor = Auditor(store)
    try:
        auditor.begin("r1")
        await auditor.record("first.fact", request_id="r1", behind=True)
        await auditor.record("second.fact", request_id="r1", behind=True)  # would be accepted alone
        failed = None
        try:
            await auditor.record("third.fact", request_id="r1")
        except AuditUnavailable as e:
            failed = e
        assert failed is not None
        auditor.discard("r1")
        assert await events_of(store) == []
        # Another request is unaffected.
        auditor.begin("r2")
        await auditor.record("second.fact", request_id="r2", behind=True)
        await auditor.record("third.fact", request_id="r2")
        await auditor.flush("r2")
        assert await events_of(store) == ["second.fact", "third.fact"]
        assert (await store.verify_audit()).ok
    finally:
        await store.close()


async def test_behind_writes_commit_in_order_and_before_the_next_essential_fact(
    database_url: str,
) -> None:
    store = await Store.open(database_url)
    auditor = Auditor(store)
    try:
        auditor.begin("r1")
        await auditor.record("message.received", request_id="r1")  # waits for the next one
        await auditor.record("execution.started", request_id="r1", behind=True)
        await auditor.record("execution.finished", request_id="r1", defer=True)
        await auditor.record("approval.requested", request_id="r1", behind=True)
        row = await auditor.record("reply.sent", request_id="r1")
        assert row is not None and row.event == "reply.sent"
        assert await events_of(store) == [
            "message.received",
            "execution.started",
            "execution.finished",
            "approval.requested",
            "reply.sent",
        ]
        await auditor.flush("r1")
    finally:
        await store.close()


async def test_a_read_whose_fact_cannot_be_written_shows_nothing(database_url: str, backend: Backend) -> None:
    app = await open_app(database_url, backend)
    await refuse_audit_event(database_url, "execution.started")
    try:
        replies = await app.router.handle(msg("!demo get web"))
        assert [r.text for r in replies] == [UNRECORDED]
        assert "reply.sent" not in await events_of(app.store)
        assert await app.store.recent_for_user(platform="console", user_id="alice") == []
    finally:
        await app.close()


async def test_an_approval_whose_fact_cannot_be_written_is_not_filed(
    database_url: str, backend: Backend
) -> None:
    app = await open_app(database_url, backend)
    await refuse_audit_event(database_url, "approval.requested")
    try:
        replies = await app.router.handle(msg("!demo scale web --replicas 3"))
        assert [r.text for r in replies] == [UNRECORDED]
        # The row and its fact share one transaction: neither exists.
        assert await app.store.list_approvals() == []
        assert backend.runs == []
    finally:
        await app.close()
