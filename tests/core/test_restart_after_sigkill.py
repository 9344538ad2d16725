"""A process killed mid-change: pending approvals survive, the executing one becomes outcome_unknown."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from storage.records import ApprovalState
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg, state_of


async def test_sigkill_while_executing_then_restart(apps: Apps, database_url: str, tmp_path: Path) -> None:
    flag = tmp_path / "started"
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.core.crash_worker",
        database_url,
        str(flag),
        stdout=asyncio.subprocess.PIPE,
        cwd=Path(__file__).parents[2],
    )
    assert proc.stdout is not None
    line = (await asyncio.wait_for(proc.stdout.readline(), timeout=60)).decode().split()
    pending, executing = line[:2], line[2]
    for _ in range(600):
        if flag.exists():
            break
        await asyncio.sleep(0.05)
    assert flag.exists(), "the slow change never started"
    os.kill(proc.pid, signal.SIGKILL)
    await proc.wait()

    backend = Backend()
    app = await apps.open(database_url, backend, server={"instance_id": "replica-a"})
    notices = await app.start()
    assert [r.id for r in notices] == [executing]
    row = await app.store.get_approval(executing)
    assert row is not None and row.state is ApprovalState.OUTCOME_UNKNOWN
    again = await app.router.handle(msg(f"!approve {executing}"))
    assert "outcome is unknown" in again[0].text
    assert not [r for r in backend.runs if r[1].get("name") == "web"]
    for approval_id, name, replicas in zip(pending, ("api", "db"), (3, 4), strict=True):
        await app.router.handle(msg(f"!approve {approval_id}"))
        await app.router.handle(msg(f"!approve {approval_id}"))
        assert await state_of(app.store, approval_id) is ApprovalState.SUCCEEDED
        assert backend.replicas[name] == replicas
    scale_runs = [r[1]["replicas"] for r in backend.runs if r[0] == "scale"]
    assert scale_runs == [3, 4]
