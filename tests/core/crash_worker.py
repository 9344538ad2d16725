"""A bot process for the crash test: files approvals, then runs a slow change and waits to be killed.

Usage: python -m tests.core.crash_worker URL FLAG_FILE
Prints the ids of two pending approvals and of the executing one, then blocks
inside the slow operation until the test kills it with SIGKILL.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.core.conftest import open_app
from tests.core.demo_ops import Backend
from tests.core.helpers import msg


async def main(url: str, flag: Path) -> None:
    backend = Backend(started_flag=flag, slow_seconds=600)
    app = await open_app(url, backend, server={"instance_id": "replica-a"})
    pending: list[str] = []
    for name, replicas in (("api", 3), ("db", 4)):
        card = (await app.router.handle(msg(f"!demo scale {name} --replicas {replicas}")))[0]
        assert card.approval_id is not None
        pending.append(card.approval_id)
    slow = (await app.router.handle(msg("!demo scale web --replicas 9")))[0]
    assert slow.approval_id is not None
    print(" ".join([*pending, slow.approval_id]), flush=True)
    await app.router.handle(msg(f"!approve {slow.approval_id}"))  # blocks in the slow op


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], Path(sys.argv[2])))
