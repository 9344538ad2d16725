"""A real Bolt app behind a real aiohttp server, talking to the fake Slack, on the demo backend.

Used by the Slack tests and by `bench/bench_slack_ack.py`. A caller may pass its own
`operations` and `clusters` (e.g. the real Kubernetes operations on the fake cluster)
instead of the demo backend's.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Sequence
from typing import Any

from aiohttp import web

from bot.adapters.slack import SlackAdapter, build_slack_adapter, slack_routes
from bot.app import App, build_app
from bot.settings.config import Secrets
from bot.settings.platforms import SlackSettings
from tests.core.conftest import make_config
from tests.core.demo_ops import Backend, demo_operations
from tests.fake_slack.requests import SIGNING_SECRET, SlackSender
from tests.fake_slack.server import BOT_TOKEN, FakeSlack
from tools.base import Operation
from tools.kubernetes.clusters import ClusterSet

POLICY: dict[str, Any] = {
    "roles": {
        "operator": {"members": ["slack:user:UALICE", "slack:user:UOLGA"]},
        "admin": {"members": ["slack:group:S0ADMINS"]},
    },
    "approvals": {"self_confirm": {"write": True, "destructive": False}},
}


@dataclasses.dataclass
class SlackBot:
    app: App
    adapter: SlackAdapter
    fake: FakeSlack
    sender: SlackSender
    backend: Backend
    url: str

    async def settle(self) -> None:
        """Wait until the adapter's background work (answers, card updates) is done."""
        assert await self.adapter.drain(10.0) == 0


@contextlib.asynccontextmanager
async def running_bot(
    database_url: str,
    fake: FakeSlack,
    *,
    backend: Backend | None = None,
    reply: str = "in_channel",
    progress_after_s: float = 2.0,
    policy: dict[str, Any] | None = None,
    operations: Sequence[Operation] | None = None,
    clusters: ClusterSet | None = None,
    llm: dict[str, Any] | None = None,
    alerts: dict[str, Any] | None = None,
) -> AsyncIterator[SlackBot]:
    """`operations` / `clusters` replace the demo backend's (then `backend` only fills `SlackBot.backend`);
    `llm` configures a model (the fake one in tests)."""
    backend = backend or Backend()
    app = await build_app(
        make_config(
            database_url,
            policy=policy or POLICY,
            **({"llm": llm} if llm else {}),
            **({"alerts": alerts} if alerts else {}),
        ),
        operations=operations if operations is not None else demo_operations(backend),
        clusters=clusters if clusters is not None else ClusterSet([]),
    )
    settings = SlackSettings(enabled=True, mode="http", api_base_url=fake.api_url, reply=reply)
    secrets = Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET)
    adapter = build_slack_adapter(app, settings=settings, secrets=secrets, progress_after_s=progress_after_s)
    await adapter.start()
    runner = web.AppRunner(slack_routes(adapter), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"http://127.0.0.1:{port}/slack/events"
    try:
        async with SlackSender(url) as sender:
            yield SlackBot(app, adapter, fake, sender, backend, url)
    finally:
        await adapter.close()
        await runner.cleanup()
        await app.close()
