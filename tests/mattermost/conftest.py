"""A running Mattermost adapter on the real Kubernetes operations: the fake Mattermost and the fake cluster.

`running_bot()` builds the app (its database, the fake cluster), the adapter
and its HTTP endpoints on a local port (the `public_url` Mattermost posts
clicks and commands to), starts it and waits until its WebSocket said hello.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.adapters.mattermost import COMMAND_PATH, MattermostAdapter, build_mattermost_adapter
from bot.app import App, build_app
from bot.settings.config import Secrets
from bot.settings.platforms import MattermostSettings
from tests.core.fixtures import make_config
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_mattermost.server import BOT_TOKEN, TEAM_NAME, FakeMattermost
from tools.kubernetes.clusters import ClusterSet

SLASH_TOKEN = "mm-fake-slash-token-abcdef"
ACTION_SECRET = "mm-fake-action-secret-0123456789abcdef"
# Mattermost people are operators (the default role); nobody approves their own write.
POLICY: dict[str, Any] = {"default_role": "operator", "approvals": {"self_confirm": {"write": False}}}


@dataclasses.dataclass
class MattermostBot:
    app: App
    adapter: MattermostAdapter
    fake: FakeMattermost
    public_url: str

    @property
    def command_url(self) -> str:
        return self.public_url + COMMAND_PATH

    async def settle(self) -> None:
        """Wait until the adapter's background work (answers, card updates) is done."""
        assert await self.adapter.drain(15.0) == 0


def listening_socket(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    return sock


@contextlib.asynccontextmanager
async def adapter_on(
    app: App, fake: FakeMattermost, *, port: int = 0, ack_within_s: float = 10.0
) -> AsyncIterator[MattermostBot]:
    """One adapter process's worth: endpoints on a port (a restart keeps its public URL), connected
    to the fake."""
    sock = listening_socket(port)
    public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = MattermostSettings(enabled=True, url=fake.base_url, team=TEAM_NAME, public_url=public_url)
    secrets = Secrets(
        mattermost_bot_token=BOT_TOKEN,
        mattermost_slash_token=SLASH_TOKEN,
        mattermost_action_secret=ACTION_SECRET,
    )
    adapter = build_mattermost_adapter(
        app,
        settings=settings,
        secrets=secrets,
        min_backoff_s=0.05,
        max_backoff_s=0.5,
        ack_within_s=ack_within_s,
    )
    web_app = web.Application()
    adapter.add_routes(web_app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    await web.SockSite(runner, sock).start()
    await adapter.start()
    try:
        await asyncio.wait_for(adapter.stream.connected.wait(), 10)
        assert adapter.is_ready()
        yield MattermostBot(app, adapter, fake, public_url)
    finally:
        await adapter.stop()
        await runner.cleanup()


@contextlib.asynccontextmanager
async def running_bot(
    database_url: str,
    fake: FakeMattermost,
    clusters: ClusterSet,
    *,
    config: dict[str, Any] | None = None,
    policy: dict[str, Any] | None = None,
    **options: Any,
) -> AsyncIterator[MattermostBot]:
    """`config`: more sections of the bot's config (a Prometheus endpoint…)."""
    app = await build_app(
        make_config(
            database_url, policy=policy or POLICY, limits={"messages_per_minute": 10_000}, **(config or {})
        ),
        clusters=clusters,
    )
    try:
        async with adapter_on(app, fake, **options) as bot:
            yield bot
    finally:
        await app.close()


@pytest.fixture
async def bot(
    sqlite_url: str, fake_mattermost: FakeMattermost, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> AsyncIterator[MattermostBot]:
    async with running_bot(sqlite_url, fake_mattermost, fake_cluster_set) as running:
        yield running
