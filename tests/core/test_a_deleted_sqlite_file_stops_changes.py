"""The SQLite file is watched: deleted or replaced under a running bot, nothing more runs or is written.

And `audit verify` on a recreated file says the chain is not this
installation's (the installation id kept beside the file), on PostgreSQL the
installation row catches a chain replaced from its first row.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import text

from storage.records import AuditEvent
from storage.store import Store
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg


async def test_a_deleted_file_stops_the_approved_change_and_says_why(
    apps: Apps, tmp_path: Path, backend: Backend
) -> None:
    path = tmp_path / "chatops.db"
    app = await apps.open(f"sqlite+aiosqlite:///{path}", backend)
    card = (await app.router.handle(msg("!demo scale web --replicas 5")))[0]
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    replies = await app.router.handle(msg(f"!approve {card.approval_id}"))
    assert len(replies) == 1
    assert "was deleted while the bot was running" in replies[0].text
    assert "Nothing was done" in replies[0].text
    assert backend.runs == [] and backend.replicas["web"] == 2
    again = await app.router.handle(msg("!demo get web"))
    assert "was deleted" in again[0].text  # it stays stopped


async def test_a_replaced_file_is_noticed_too(apps: Apps, tmp_path: Path, backend: Backend) -> None:
    path = tmp_path / "chatops.db"
    app = await apps.open(f"sqlite+aiosqlite:///{path}", backend)
    await app.router.handle(msg("!demo get web"))
    other = tmp_path / "other.db"
    other.write_bytes(path.read_bytes())
    os.replace(other, path)
    replies = await app.router.handle(msg("!demo get web"))
    assert "was replaced by another file" in replies[0].text


async def test_verify_reports_a_recreated_file_as_not_this_installations_chain(
    apps: Apps, tmp_path: Path, backend: Backend
) -> None:
    path = tmp_path / "chatops.db"
    url = f"sqlite+aiosqlite:///{path}"
    app = await apps.open(url, backend)
    await app.router.handle(msg("!demo get web"))
    assert (await app.store.verify_audit()).ok
    await apps.close(app)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    app = await apps.open(url, backend)  # a new, empty file: its short chain is internally intact
    await app.router.handle(msg("!demo get web"))
    report = await app.store.verify_audit()
    assert not report.ok and report.first_bad_seq == 1
    assert "not the one this installation began with" in (report.problem or "")


async def test_verify_reports_a_chain_replaced_from_its_first_row(database_url: str) -> None:
    store = await Store.open(database_url)
    try:
        await store.append_audit(AuditEvent(event="message.received"))
        assert (await store.verify_audit()).ok  # row 1 is now this installation's genesis
        async with store.database.async_engine.begin() as conn:
            await conn.execute(text("DELETE FROM audit_events"))
            await conn.execute(text("UPDATE audit_head SET seq = 0, hash = :h"), {"h": "0" * 64})
        fresh = await Store.open(database_url)
        try:
            await fresh.append_audit(AuditEvent(event="message.received", status="forged"))
            report = await fresh.verify_audit()
        finally:
            await fresh.close()
        assert not report.ok and "row 1 is not the genesis of this installation" in (report.problem or "")
    finally:
        await store.close()


async def test_the_installation_record_sits_beside_the_file(tmp_path: Path) -> None:
    path = tmp_path / "chatops.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}")
    try:
        assert Path(f"{path}.installation").exists()
    finally:
        await store.close()
