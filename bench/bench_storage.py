"""Storage benchmark: audit append throughput and per-user history latency.

    python bench/bench_storage.py --db both --rows 1000000

Measures, on SQLite (WAL, a temp file) and/or PostgreSQL (a throwaway
database on --pg-url's server):
  * audit appends/s: one caller appending one event at a time (each
    committed before the next), --concurrency callers at once (the bot's
    pattern under load: concurrent appends share a transaction through group
    commit, each caller still waits for its own commit), and explicit
    batches of --batch events;
  * `recent_for_user` latency p50/p99 over --rows messages spread across
    --users users (the bulk load time is printed but is not the measured figure).
Targets: >= 2,000 appends/s (under concurrency) and history p99 <= 20 ms.
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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from storage import Store
from storage.bulk import MessageRow, load_messages
from storage.records import AuditEvent

APPENDS_PER_S_TARGET = 2000
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


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def bench(
    store: Store,
    *,
    label: str,
    rows: int,
    users: int,
    appends: int,
    batch: int,
    queries: int,
    concurrency: int = 50,
) -> bool:
    started = time.perf_counter()
    for i in range(appends):
        await store.append_audit(audit_event(i))
    single = appends / (time.perf_counter() - started)

    async def caller(offset: int) -> None:
        for i in range(offset, appends, concurrency):
            await store.append_audit(audit_event(i))

    started = time.perf_counter()
    await asyncio.gather(*(caller(k) for k in range(concurrency)))
    concurrent = appends / (time.perf_counter() - started)

    started = time.perf_counter()
    for i in range(0, appends, batch):
        await store.append_audit_many([audit_event(j) for j in range(i, min(i + batch, appends))])
    batched = appends / (time.perf_counter() - started)

    started = time.perf_counter()
    report = await store.verify_audit()
    verify_s = time.perf_counter() - started

    started = time.perf_counter()
    loaded = await load_messages(store.database, message_rows(rows, users))
    load_s = time.perf_counter() - started
    await store.database.run(lambda conn: conn.exec_driver_sql("ANALYZE messages"), write=True)

    rng = random.Random(7)
    for _ in range(50):  # warm the cache and the statement cache
        await store.recent_for_user(platform="slack", user_id=f"U{rng.randrange(users):05d}")
    samples = []
    for _ in range(queries):
        user_id = f"U{rng.randrange(users):05d}"
        t0 = time.perf_counter()
        got = await store.recent_for_user(platform="slack", user_id=user_id, limit=20)
        samples.append((time.perf_counter() - t0) * 1000)
        assert len(got) == min(20, rows // users)
    p50, p99 = statistics.median(samples), percentile(samples, 0.99)

    print(f"[{label}]")
    print(f"  audit appends, 1 caller  : {single:8.0f} /s   (each committed before the next)")
    print(
        f"  audit appends, {concurrency:>2} callers: {concurrent:8.0f} /s   (target >= {APPENDS_PER_S_TARGET}; "
        "group commit)"
    )
    print(f"  audit batched appends    : {batched:8.0f} /s   (batches of {batch})")
    print(f"  audit verify             : {report.rows_checked} rows in {verify_s:.2f} s, ok={report.ok}")
    print(f"  history bulk load        : {loaded} rows in {load_s:.1f} s (not the measured figure)")
    print(
        f"  recent_for_user ({users} users, {queries} queries): p50 {p50:.2f} ms, p99 {p99:.2f} ms"
        f"   (target <= {HISTORY_MS_TARGET:.0f} ms)"
    )
    return concurrent >= APPENDS_PER_S_TARGET and p99 <= HISTORY_MS_TARGET and report.ok


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
    return {
        "rows": args.rows,
        "users": args.users,
        "appends": args.appends,
        "batch": args.batch,
        "queries": args.queries,
    }


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, default=1_000_000, help="history rows to load")
    parser.add_argument("--users", type=int, default=1_000, help="users the rows are spread over")
    parser.add_argument("--appends", type=int, default=5_000, help="audit events per throughput run")
    parser.add_argument("--batch", type=int, default=100, help="events per batched append")
    parser.add_argument("--queries", type=int, default=2_000, help="history queries to time")
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
