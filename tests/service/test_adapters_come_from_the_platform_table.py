"""`chatops run` builds its adapters from one table (platform name → factory), one per enabled
config section; a new platform is one entry there and one config section."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
from aiohttp import web

from bot.app import App
from bot.runtime.platforms import PLATFORMS, Platform, ServiceAdapter
from bot.runtime.service import build_adapters, run_service
from bot.settings.config import Settings, load_config
from bot.settings.platforms import PlatformSections
from storage.records import ApprovalRecord
from tests.core.conftest import open_app
from tests.core.demo_ops import Backend


class Named:
    def __init__(self, name: str) -> None:
        self.name = name

    def add_routes(self, web_app: web.Application) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def is_ready(self) -> bool:
        return True

    async def announce(self, rows: Sequence[ApprovalRecord]) -> None: ...


def named(name: str) -> Platform:
    async def start(app: App) -> ServiceAdapter:
        return Named(name)

    return Platform(start)


def test_every_platform_section_has_one_table_entry() -> None:
    assert list(PLATFORMS) == list(PlatformSections.model_fields)
    assert list(Settings().chat_sections()) == list(PLATFORMS)


async def test_only_enabled_platforms_are_built(sqlite_url: str, backend: Backend) -> None:
    app = await open_app(sqlite_url, backend, discord={"enabled": True})
    try:
        adapters = await build_adapters(app, {name: named(name) for name in PLATFORMS})
    finally:
        await app.close()
    assert [a.name for a in adapters] == ["discord"]


async def test_with_no_platform_enabled_the_service_names_every_switch(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run_service(load_config(None, env={})) == 2
    said = capsys.readouterr().err
    assert all(f"{name}.enabled" in said for name in PLATFORMS)
