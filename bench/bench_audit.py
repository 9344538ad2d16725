"""Audit appends/s against a raw hash-chained SQLAlchemy append loop, measured side by side.

    python bench/bench_audit.py [--db sqlite|postgres|both] [--callers 1,10,50] [--repeats 3]

Figure: `Store.append_audit()` as the bot calls it (group commit: concurrent
callers share a transaction; each returns once its own row is committed).
Floor: the simplest correct chained append one would write by hand with
SQLAlchemy Core on the same tables (PostgreSQL: asyncpg; SQLite: the
plain blocking sqlite3 engine, faster than aiosqlite): per transaction,
read the head row FOR UPDATE, hash each row over its fields and the previous
hash, insert, move the head, commit. With one caller it commits one row per
transaction; with several callers it groups too (a writer task takes every
append waiting and commits them together), so both sides batch alike. Each
repeat uses a fresh database per side, and the sides alternate which runs
first. Target: ratio >= 0.6 in every setting. Prints min/median/max over repeats.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import hashlib
import json
import secrets
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import Engine, create_engine, event, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.compare import Ratios, alternate_async
from storage import Store
from storage.records import AuditEvent
from storage.tables import audit_events, audit_head

TARGET = 0.6
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"


def audit_event(i: int) -> AuditEvent:
    return AuditEvent(
        event="operation.executed",
        request_id=f"req-{i}",
        platform="slack",
        user_id=f"U{i % 100:05d}",
        channel="C1",
        operation="k8s_scale_deployment",
        status="ok",
        detail={"namespace": "shop", "name": "web", "replicas": i % 7},
    )


# ---- the floor: a hand-written chained append ------------------------------------------------


def chain_rows(events: list[AuditEvent], seq: int, prev: str) -> tuple[list[dict[str, Any]], int, str]:
    """The rows to insert after head (seq, prev): each hashed over its fields and the previous hash."""
    ts = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    rows = []
    for e in events:
        seq += 1
        fields = {
            "seq": seq,
            "ts": ts,
            "event": e.event,
            "request_id": e.request_id,
            "platform": e.platform,
            "user_id": e.user_id,
            "channel": e.channel,
            "operation": e.operation,
            "status": e.status,
            "detail": e.detail,
            "prev_hash": prev,
        }
        prev = hashlib.sha256(json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        rows.append({**fields, "detail": json.dumps(e.detail, sort_keys=True), "hash": prev})
    return rows, seq, prev


_HEAD = select(audit_head.c.seq, audit_head.c.hash).where(audit_head.c.id == 1).with_for_update()


class RawChain:
    """The floor: read head FOR UPDATE, hash, insert, move head, commit; groups concurrent appends.

    PostgreSQL through the async engine (asyncpg); SQLite through a plain blocking
    engine (the standard sqlite3 module), the fastest raw loop there.
    """

    def __init__(self, engine: AsyncEngine | Engine) -> None:
        self.engine = engine
        self.pending: list[tuple[AuditEvent, asyncio.Future[None]]] = []
        self.writer: asyncio.Task[None] | None = None

    async def write(self, events: list[AuditEvent]) -> None:
        if isinstance(self.engine, Engine):
            with self.engine.begin() as conn:
                head = conn.execute(_HEAD).one()
                rows, seq, prev = chain_rows(events, head.seq, head.hash)
                conn.execute(insert(audit_events), rows)
                conn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))
            return
        async with self.engine.begin() as aconn:
            head = (await aconn.execute(_HEAD)).one()
            rows, seq, prev = chain_rows(events, head.seq, head.hash)
            await aconn.execute(insert(audit_events), rows)
            await aconn.execute(update(audit_head).where(audit_head.c.id == 1).values(seq=seq, hash=prev))

    async def append(self, event: AuditEvent) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.pending.append((event, future))
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self._drain())
        await future

    async def _drain(self) -> None:
        while self.pending:
            batch, self.pending = self.pending[:500], self.pending[500:]
            await self.write([e for e, _ in batch])
            for _, future in batch:
                future.set_result(None)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# ---- databases ---------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def fresh_url(kind: str) -> AsyncIterator[str]:
    """A new, migrated database (SQLite file or PostgreSQL database), dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-audit-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'audit.db'}"
            store = await Store.open(url)
            await store.close()
            yield url
        return
    name = f"bench_audit_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(PG_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        store = await Store.open(url)
        await store.close()
        yield url
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def rate(appends: int, callers: int, append: Callable[[AuditEvent], Awaitable[Any]]) -> float:
    """Appends/s of `callers` concurrent callers, each awaiting its own append before the next."""
    for i in range(20):  # warm: connections, statement caches
        await append(audit_event(-i))

    async def caller(offset: int) -> None:
        for i in range(offset, appends, callers):
            await append(audit_event(i))

    started = time.perf_counter()
    await asyncio.gather(*(caller(k) for k in range(callers)))
    return appends / (time.perf_counter() - started)


async def measure_bot(kind: str, appends: int, callers: int) -> float:
    async with fresh_url(kind) as url:
        store = await Store.open(url, migrate=False)
        try:
            return await rate(appends, callers, store.append_audit)
        finally:
            await store.close()


async def measure_floor(kind: str, appends: int, callers: int) -> float:
    async with fresh_url(kind) as url:
        # Lean, as one would write it: every transaction ends in commit, so no rollback on return.
        if kind == "sqlite":
            engine = create_engine(url.replace("+aiosqlite", "+pysqlite"), pool_reset_on_return=None)
            event.listen(engine, "connect", _sqlite_pragmas)
            try:
                return await rate(appends, callers, RawChain(engine).append)
            finally:
                engine.dispose()
        aengine = create_async_engine(url, pool_reset_on_return=None)
        try:
            return await rate(appends, callers, RawChain(aengine).append)
        finally:
            await aengine.dispose()


async def verify_chain(kind: str) -> bool:
    """The bot's rows verify (so the figure is of correct appends)."""
    async with fresh_url(kind) as url:
        store = await Store.open(url, migrate=False)
        try:
            await asyncio.gather(*(store.append_audit(audit_event(i)) for i in range(200)))
            return (await store.verify_audit()).ok
        finally:
            await store.close()


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--callers", default="1,10,50", help="comma-separated caller counts (the sweep)")
    parser.add_argument("--appends", type=int, default=1000, help="appends per measurement with one caller")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    kinds = ["sqlite", "postgres"] if options.db == "both" else [options.db]
    callers_sweep = [int(c) for c in options.callers.split(",")]
    missed = False
    print(
        f"audit appends/s, bot vs raw chained loop; {options.repeats} alternated repeats; target ratio >= {TARGET}"
    )
    for kind in kinds:
        print(f"[{kind}] chain verifies after concurrent appends: {await verify_chain(kind)}")
        for callers in callers_sweep:
            appends = options.appends if callers == 1 else options.appends * 5
            result = Ratios(f"{kind:<8} {callers:>3} caller(s)", "appends/s", higher_is_better=True)

            async def bot(k: str = kind, c: int = callers, n: int = appends) -> float:
                return await measure_bot(k, n, c)

            async def floor(k: str = kind, c: int = callers, n: int = appends) -> float:
                return await measure_floor(k, n, c)

            result.figure, result.floor = await alternate_async(options.repeats, bot, floor)
            print(result.line(TARGET, fmt="{:.0f}"), flush=True)
            missed |= result.median_ratio < TARGET
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
