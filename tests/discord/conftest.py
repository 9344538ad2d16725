"""The real discord.py client, run by the adapter against the fake Discord, on the demo backend."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any

import pytest

from bot.adapters.discord import (
    AdapterOptions,
    DiscordAdapter,
    LookupSource,
    Shortcuts,
    build_discord_adapter,
)
from bot.app import App, build_app
from bot.settings.config import Secrets
from bot.settings.platforms import DiscordSettings
from tests.core.demo_ops import Backend, demo_operations
from tests.core.fixtures import make_config
from tests.fake_discord import payloads as p
from tests.fake_discord.plugin import fake_discord  # noqa: F401  (a fixture)
from tests.fake_discord.server import FakeDiscord
from tools.base import Operation
from tools.kubernetes.clusters import ClusterSet

POLICY: dict[str, Any] = {
    "roles": {
        "operator": {"members": [f"discord:role:{p.OPERATOR_ROLE}"]},
        "admin": {"members": [f"discord:role:{p.ADMIN_ROLE}"]},
    },
    "approvals": {"self_confirm": {"write": True, "destructive": False}},
}
DEMO_OPTIONS = AdapterOptions(
    shortcuts=Shortcuts(get="demo_get", scale="demo_scale", logs="-", restart="-", rollback="-"),
    lookup_sources={"deployment": LookupSource("demo_get"), "namespace": LookupSource("demo_get")},
    guild_ready_timeout_s=0.2,
)


@dataclasses.dataclass
class DiscordBot:
    app: App
    adapter: DiscordAdapter
    fake: FakeDiscord
    backend: Backend


@contextlib.asynccontextmanager
async def running_bot(
    url: str,
    fake: FakeDiscord,
    *,
    backend: Backend | None = None,
    policy: Mapping[str, Any] | None = None,
    guild_ids: tuple[int, ...] = (int(p.GUILD_ID),),
    options: AdapterOptions = DEMO_OPTIONS,
    extra_operations: Sequence[Operation] = (),
    prepare: Callable[[App], None] | None = None,
    llm: Mapping[str, Any] | None = None,
    alerts: Mapping[str, Any] | None = None,
    clusters: ClusterSet | None = None,
) -> AsyncIterator[DiscordBot]:
    """`alerts` turns the alerts section on; `clusters` (with their operations in `extra_operations`)
    replace the demo backend's none."""
    backend = backend if backend is not None else Backend()
    sections = {"llm": dict(llm)} if llm else {}
    if alerts:
        sections["alerts"] = dict(alerts)
    config = make_config(url, policy=dict(policy or POLICY), **sections)
    operations = [*demo_operations(backend), *extra_operations]
    app = await build_app(config, operations=operations, clusters=clusters or ClusterSet([]))
    if prepare is not None:
        prepare(app)  # e.g. hook the executor first, as another adapter would
    adapter = build_discord_adapter(
        app,
        settings=DiscordSettings(enabled=True, guild_ids=guild_ids),
        secrets=Secrets(discord_bot_token=p.BOT_TOKEN),
        options=options,
    )
    task = asyncio.create_task(adapter.run())
    try:
        await asyncio.wait_for(adapter.client.wait_until_ready(), 10)
        assert adapter.is_ready
        yield DiscordBot(app, adapter, fake, backend)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await app.close()


@pytest.fixture
async def bot(sqlite_url: str, fake_discord: FakeDiscord) -> AsyncIterator[DiscordBot]:  # noqa: F811
    async with running_bot(sqlite_url, fake_discord) as running:
        yield running
