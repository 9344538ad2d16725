"""The Slack adapter as one part of `chatops run`: routes, start, stop, readiness.

HTTP mode mounts `/slack/events` on the service's server; Socket Mode
connects out with the app-level token. Readiness means Slack knows the bot
(`auth.test` answered) and, in Socket Mode, the socket is open.
"""

from __future__ import annotations

import asyncio
import contextlib

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.app import App
from bot.settings.config import Secrets
from bot.settings.platforms import SlackSettings

from .adapter import SlackAdapter, build_slack_adapter
from .http import add_slack_routes
from .socket import start_socket_mode


class SlackService:
    name = "slack"

    def __init__(self, adapter: SlackAdapter, *, settings: SlackSettings, secrets: Secrets) -> None:
        self.adapter = adapter
        self._settings = settings
        self._secrets = secrets
        self._socket: AsyncSocketModeHandler | None = None
        self._identity_retry: asyncio.Task[None] | None = None

    def add_routes(self, web_app: web.Application) -> None:
        if self._settings.mode == "http":
            add_slack_routes(web_app, self.adapter)

    async def start(self) -> None:
        await self.adapter.start()  # registers the Slack surface; the service sweeps for every surface
        if self.adapter.bot_user_id_now is None:
            self._identity_retry = asyncio.create_task(self._retry_identity(), name="slack-auth-test")
        if self._settings.mode == "socket":
            self._socket = await start_socket_mode(self.adapter, app_token=self._secrets.slack_app_token)

    async def _retry_identity(self, every_s: float = 10.0) -> None:
        """Until auth.test answers, ask again: /readyz turns ready when it does."""
        while self.adapter.bot_user_id_now is None:
            await asyncio.sleep(every_s)
            await self.adapter.identity()

    async def stop(self) -> None:
        if self._identity_retry is not None:
            self._identity_retry.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._identity_retry
        if self._socket is not None:
            with contextlib.suppress(Exception):
                await self._socket.close_async()  # type: ignore[no-untyped-call]
            self._socket = None
        await self.adapter.close()

    def is_ready(self) -> bool:
        if self.adapter.bot_user_id_now is None:
            return False
        if self._settings.mode == "http":
            return True
        client = self._socket.client if self._socket is not None else None
        session = getattr(client, "current_session", None)
        return bool(client is not None and not client.closed and session is not None and not session.closed)


async def service_adapter(app: App, settings: SlackSettings, secrets: Secrets) -> SlackService:
    return SlackService(
        build_slack_adapter(app, settings=settings, secrets=secrets), settings=settings, secrets=secrets
    )
