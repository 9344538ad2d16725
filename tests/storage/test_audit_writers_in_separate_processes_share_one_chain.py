from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from storage import Store
from storage.records import AuditFilter

ROOT = Path(__file__).resolve().parents[2]
WRITER = """
import asyncio, sys
from storage import Store
from storage.records import AuditEvent

async def main(url, name):
    store = await Store.open(url, migrate=False)
    try:
        for i in range(40):
            await store.append_audit(AuditEvent(event="operation.executed", user_id=name, detail={"i": i}))
        claimed = await store.claim_event(platform="slack", event_id="shared")
        print("claimed" if claimed else "duplicate")
    finally:
        await store.close()

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


async def run_writer(url: str, name: str) -> str:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", WRITER, url, name, cwd=ROOT, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0
    return out.decode().strip()


async def test_three_processes_appending_at_once_leave_one_gapless_verified_chain(
    store: Store, db_url: str
) -> None:
    outcomes = await asyncio.gather(*(run_writer(db_url, f"P{n}") for n in range(3)))

    rows = await store.list_audit(AuditFilter())
    assert [r.seq for r in rows] == list(range(1, 121))
    assert {r.user_id for r in rows} == {"P0", "P1", "P2"}
    assert (await store.verify_audit()).ok
    assert sorted(outcomes) == ["claimed", "duplicate", "duplicate"]
