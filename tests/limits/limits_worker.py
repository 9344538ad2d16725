"""One bot replica for the shared-limits tests: answers chat lines from stdin, one JSON line each.

Usage: python -m tests.limits.limits_worker CONFIG
Prints "ready", then for each stdin line "USER TEXT" prints {"limited": bool, "text": first reply}.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.app import build_app
from bot.domain.models import IncomingMessage, Principal
from bot.settings.config import load_config


async def main(config: str) -> None:
    app = await build_app(load_config(Path(config), env={}))
    loop = asyncio.get_running_loop()
    try:
        print("ready", flush=True)
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            user, text = line.rstrip("\n").split(" ", 1)
            replies = await app.router.handle(IncomingMessage(Principal("slack", user, user), "C1", text))
            first = replies[0].text if replies else ""
            print(json.dumps({"limited": "in the last minute" in first, "text": first}), flush=True)
    finally:
        await app.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
