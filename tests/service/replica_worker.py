"""One bot replica for the two-replica test: waits for a start signal, then clicks and delivers.

Usage: python -m tests.service.replica_worker CONFIG APPROVAL_ID EVENT_ID GO_FILE
Prints one JSON line: {"approve": <outcome text>, "event_replies": <number of replies>}.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from bot.app import build_app
from bot.domain.models import ButtonAction, IncomingMessage, Principal
from bot.settings.config import load_config


async def main(config: str, approval_id: str, event_id: str, go: Path) -> None:
    app = await build_app(load_config(Path(config), env={}))
    try:
        print("ready", flush=True)
        while not go.exists():
            time.sleep(0.005)  # a tight wait so both replicas start within milliseconds
        approver = Principal("slack", "UOPS", "Olga")
        click = app.router.handle_button(
            principal=approver,
            action=ButtonAction.APPROVE,
            approval_id=approval_id,
            channel="C1",
            thread=None,
        )
        event = app.router.handle(
            IncomingMessage(
                Principal("slack", "UVIEW", "Vic"), "C1", "!get deployments -n prod", event_id=event_id
            )
        )
        (outcome, _), replies = await asyncio.gather(click, event)
        print(json.dumps({"approve": outcome.text, "event_replies": len(replies)}), flush=True)
    finally:
        await app.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], Path(sys.argv[4])))
