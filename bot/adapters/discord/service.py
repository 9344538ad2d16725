"""The Discord adapter as one part of `chatops run`: start, stop, readiness.

Discord connects out (gateway websocket), so it adds no HTTP routes.
Readiness means the gateway session is ready.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web

from bot.app import App
from bot.settings.config import Secrets
from bot.settings.platforms import DiscordSettings

from .adapter import DiscordAdapter, build_discord_adapter


class DiscordService:
    name = "discord"

    def __init__(self, adapter: DiscordAdapter) -> None:
        self.adapter = adapter
        self._task: asyncio.Task[None] | None = None

    def add_routes(self, web_app: web.Application) -> None:
        return None

    async def start(self) -> None:
        self._task = asyncio.create_task(self.adapter.run(), name="discord-adapter")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    def is_ready(self) -> bool:
        return bool(self.adapter.is_ready) and self._task is not None and not self._task.done()


async def service_adapter(app: App, settings: DiscordSettings, secrets: Secrets) -> DiscordService:
    # The service sweeps expiries once for every registered surface.
    return DiscordService(build_discord_adapter(app, settings=settings, secrets=secrets))
