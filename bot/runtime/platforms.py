"""The chat adapters `chatops run` can start: platform name → factory.

A platform's name is its config section (`bot.settings.platforms`) and the
`platform` of the principals its adapter fills. Adding a platform is one entry
in `ADAPTERS` (plus its section); the service, `chatops check` and start-up
only iterate this table. Factories import their adapter lazily, so a platform
that is not enabled never loads its client library.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Protocol

from aiohttp import web

from bot.app import App
from storage.records import ApprovalRecord


class ServiceAdapter(Protocol):
    """What a chat adapter offers the service."""

    name: str

    def add_routes(self, web_app: web.Application) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def is_ready(self) -> bool: ...

    async def announce(self, rows: Sequence[ApprovalRecord]) -> None: ...


AdapterFactory = Callable[[App], Awaitable[ServiceAdapter]]


async def _slack(app: App) -> ServiceAdapter:
    from bot.adapters.slack.service import service_adapter

    return await service_adapter(app, app.config.settings.slack, app.config.secrets)


async def _discord(app: App) -> ServiceAdapter:
    from bot.adapters.discord.service import service_adapter

    return await service_adapter(app, app.config.settings.discord, app.config.secrets)


ADAPTERS: Mapping[str, AdapterFactory] = {
    "slack": _slack,
    "discord": _discord,
}
