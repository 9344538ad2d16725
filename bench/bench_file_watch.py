"""What watching the SQLite file costs: one os.stat per transaction, next to the transaction itself.

Run: python bench/bench_file_watch.py   (prints its figures; nothing is asserted)
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from storage.database import open_database

ROUNDS = 2000


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = await open_database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            await database.run(lambda conn: conn.execute(text("CREATE TABLE t (x INTEGER)")), write=True)
            watch = database.watch
            assert watch is not None
            checks = []
            for _ in range(ROUNDS):
                started = time.perf_counter()
                watch.check(database.describe())
                checks.append((time.perf_counter() - started) * 1e6)
            transactions = []
            for i in range(ROUNDS // 10):
                started = time.perf_counter()
                await database.run(
                    lambda conn, i=i: conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": i}), write=True
                )
                transactions.append((time.perf_counter() - started) * 1e6)
        finally:
            await database.close()
    check, tx = statistics.median(checks), statistics.median(transactions)
    print(f"file check (os.stat + compare): p50 {check:.1f} µs over {ROUNDS}")
    print(f"one write transaction (with the check): p50 {tx:.0f} µs over {ROUNDS // 10}")
    print(f"the check is {100 * check / tx:.2f}% of a write transaction")


if __name__ == "__main__":
    asyncio.run(main())
