"""History lookup latency beside the same query run raw; audit appends are in bench_audit.py.

    python bench/bench_storage.py --db both --rows 200000

On SQLite (WAL, a temp file) and/or PostgreSQL (a throwaway database on
--pg-url's server), --rows messages spread over --users users are bulk
loaded (the load time is printed, not measured), then:
  * figure: `Store.recent_for_user()` (newest 20 of one user) as the bot calls it;
  * floor: the same SELECT through a plain SQLAlchemy async engine on the same
    database, rows fetched as tuples.
Both sides alternate over --repeats rounds of --queries lookups of random
users; p50 and p99 of each round give min/median/max and the ratio.
Target: the bot's p99 <= 20 ms (absolute, from the original issue).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.compare import Ratios
from storage import Store
from storage.bulk import MessageRow, load_messages
from storage.tables import messages

HISTORY_MS_TARGET = 20.0


def message_rows(n: int, users: int) -> Iterator[MessageRow]:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=n)
    for i in range(n):
        user = i % users
        yield MessageRow(
            platform="slack",
            channel=f"C{user % 50}",
            thread=None if i % 3 else f"T{i // 30}",
            user_id=f"U{user:05d}",
            role="user" if i % 2 else "assistant",
            content=f"message {i}: kubectl get pods -n shop and some more words to look like chat",
            operation=None,
            status=None,
            created_at=start + dt.timedelta(seconds=i),
        )


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench(store: Store, *, label: str, rows: int, users: int, queries: int, repeats: int) -> bool:
    started = time.perf_counter()
    loaded = await load_messages(store.database, message_rows(rows, users))
    load_s = time.perf_counter() - started
    await store.database.run(lambda conn: conn.exec_driver_sql("ANALYZE messages"), write=True)
    raw = create_async_engine(store.database.url)
    rng = random.Random(7)

    async def bot_round() -> list[float]:
        samples = []
        for _ in range(queries):
            user_id = f"U{rng.randrange(users):05d}"
            t0 = time.perf_counter()
            got = await store.recent_for_user(platform="slack", user_id=user_id, limit=20)
            samples.append((time.perf_counter() - t0) * 1000)
            assert len(got) == min(20, rows // users)
        return samples

    async def raw_round(engine: AsyncEngine) -> list[float]:
        samples = []
        for _ in range(queries):
            user_id = f"U{rng.randrange(users):05d}"
            query = (
                select(messages)
                .where(messages.c.platform == "slack", messages.c.user_id == user_id)
                .order_by(messages.c.id.desc())
                .limit(20)
            )
            t0 = time.perf_counter()
            async with engine.connect() as conn:
                got = (await conn.execute(query)).all()
            samples.append((time.perf_counter() - t0) * 1000)
            assert len(got) == min(20, rows // users)
        return samples

    try:
        await bot_round()  # warm caches and statement caches on both sides
        await raw_round(raw)
        p50 = Ratios("recent_for_user p50", "ms")
        p99 = Ratios("recent_for_user p99", "ms")
        for repeat in range(repeats):
            if repeat % 2 == 0:
                bot, floor = await bot_round(), await raw_round(raw)
            else:
                floor, bot = await raw_round(raw), await bot_round()
            p50.add(statistics.median(bot), statistics.median(floor))
            p99.add(percentile(bot, 0.99), percentile(floor, 0.99))
    finally:
        await raw.dispose()
    print(f"[{label}] {loaded} history rows loaded in {load_s:.1f} s (not the measured figure)")
    print("  " + p50.line())
    print("  " + p99.line())
    worst = max(p99.figure)
    print(
        f"  bot's p99 <= {HISTORY_MS_TARGET:.0f} ms in every round: {'ok' if worst <= HISTORY_MS_TARGET else 'MISSES'}"
    )
    return worst <= HISTORY_MS_TARGET


async def run_sqlite(args: argparse.Namespace) -> bool:
    with tempfile.TemporaryDirectory(prefix="chatops-bench-") as folder:
        store = await Store.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        try:
            return await bench(store, label="sqlite (WAL, synchronous=NORMAL)", **_sizes(args))
        finally:
            await store.close()


async def run_postgres(args: argparse.Namespace) -> bool:
    base = args.pg_url.rsplit("/", 1)[0]
    name = f"chatops_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(args.pg_url.replace("+asyncpg", ""))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        store = await Store.open(f"{base}/{name}")
        try:
            return await bench(store, label="postgresql", **_sizes(args))
        finally:
            await store.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


def _sizes(args: argparse.Namespace) -> dict[str, int]:
    return {"rows": args.rows, "users": args.users, "queries": args.queries, "repeats": args.repeats}


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--rows", type=int, default=200_000, help="history rows to load (1000000 for the big run)"
    )
    parser.add_argument("--users", type=int, default=1_000, help="users the rows are spread over")
    parser.add_argument("--queries", type=int, default=500, help="history lookups per round and side")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    ok = True
    if args.db in ("sqlite", "both"):
        ok &= await run_sqlite(args)
    if args.db in ("postgres", "both"):
        ok &= await run_postgres(args)
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
