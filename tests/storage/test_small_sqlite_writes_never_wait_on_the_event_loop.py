"""A single audit append on SQLite may run on the event loop (the hand-off to the worker thread cost more
than the transaction), but it never waits there: with the file locked by another connection it goes to
the worker thread, whose busy handler waits, while the loop keeps serving; nothing is written twice.
And it never checkpoints there: the WAL stays bounded over thousands of appends."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import Store
from storage.records import AuditEvent


def event(n: int) -> AuditEvent:
    return AuditEvent(
        event="operation.executed",
        request_id=f"req-{n}",
        platform="console",
        user_id="alice",
        channel="console",
        operation="k8s_scale_deployment",
        status="ok",
        detail={"n": n},
    )


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[tuple[Store, Path]]:
    path = tmp_path / "chatops.db"
    store = await Store.open(f"sqlite:///{path}")
    try:
        yield store, path
    finally:
        await store.close()


async def test_an_append_while_another_connection_holds_the_lock_waits_off_the_loop(
    sqlite_store: tuple[Store, Path],
) -> None:
    store, path = sqlite_store
    await store.append_audit(event(1))
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # holds the write lock
        append = asyncio.create_task(store.append_audit(event(2)))
        # The loop keeps turning while the append waits: were it waiting on the loop (SQLite's busy
        # handler, ten seconds), this short sleep would end only then.
        loop = asyncio.get_running_loop()
        started = loop.time()
        await asyncio.sleep(0.3)
        assert loop.time() - started < 5 and not append.done()
        other.execute("COMMIT")
        record = await asyncio.wait_for(append, 30)
    finally:
        other.close()
    assert record.seq == 2
    report = await store.verify_audit()
    assert report.ok and report.rows_checked == 2  # the first, rolled-back try left nothing behind


async def test_the_wal_stays_bounded_over_thousands_of_single_appends(
    sqlite_store: tuple[Store, Path],
) -> None:
    store, path = sqlite_store
    for n in range(3000):
        await store.append_audit(event(n))
    wal = path.with_name(path.name + "-wal")
    # Without checkpoints the WAL would hold every page each commit wrote (tens of MB here); SQLite's
    # automatic checkpoint runs on the writes sent to the worker thread and the WAL is reused after it.
    assert wal.stat().st_size < 12_000_000
    report = await store.verify_audit()
    assert report.ok and report.rows_checked == 3000
