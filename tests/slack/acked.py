"""The `acked` fixture: a running bot whose Slack requests come through its ack server (`AckProcess`).

Shared by the tests of the ack server; `Acked.settle` waits until the requests
handed over to the core were dispatched and their work is done.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.adapters.slack import slack_routes
from bot.adapters.slack.ack_process import AckProcess
from tests.fake_slack.plugin import fake_slack  # noqa: F401  (a fixture)
from tests.fake_slack.requests import SlackSender
from tests.fake_slack.server import FakeSlack
from tests.slack.harness import SlackBot, running_bot


class Acked:
    def __init__(self, bot: SlackBot, acks: AckProcess, base: str, sender: SlackSender) -> None:
        self.bot, self.acks, self.base, self.sender = bot, acks, base, sender

    async def settle(self, dispatched: int) -> None:
        """Until `dispatched` requests were handed over and dispatched, and their work is done."""
        await asyncio.wait_for(self.acks.wait_dispatched(dispatched), 10)
        await self.bot.settle()


@pytest.fixture
async def acked(sqlite_url: str, fake_slack: FakeSlack) -> AsyncIterator[Acked]:  # noqa: F811
    async with acked_bot(sqlite_url, fake_slack) as running:
        yield running


@contextlib.asynccontextmanager
async def acked_bot(database_url: str, fake: FakeSlack, **ack_options: Any) -> AsyncIterator[Acked]:
    """A bot behind its ack server; `ack_options` go to `AckProcess` (burst gap, deferral bound)."""
    async with running_bot(database_url, fake) as bot:
        core_app = slack_routes(bot.adapter)
        core_app.router.add_get("/readyz", _ready)
        runner = web.AppRunner(core_app, access_log=None)
        await runner.setup()
        # Tests keep their priority.
        acks = AckProcess(bot.adapter, slash_command="/k8s", core_nice=0, **ack_options)
        port = await acks.start(runner, host="127.0.0.1", port=0)
        base = f"http://127.0.0.1:{port}"
        try:
            async with SlackSender(f"{base}/slack/events") as sender:
                yield Acked(bot, acks, base, sender)
        finally:
            await acks.stop()
            await runner.cleanup()


async def _ready(request: web.Request) -> web.Response:
    return web.Response(text="core says ready")
