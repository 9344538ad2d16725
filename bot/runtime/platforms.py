"""The chat adapters `chatops run` can start: platform name → factory.

A platform's name is its config section (`bot.settings.platforms`) and the
`platform` of the principals its adapter fills. Adding a platform is one entry
in `PLATFORMS` (plus its config section); the service and the CLI only iterate
this table. Factories import their adapter lazily, so a platform
that is not enabled never loads its client library.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the CLI reads `library_loggers` before anything heavy is imported
    from aiohttp import web

    from bot.app import App


class ServiceAdapter(Protocol):
    """What a chat adapter offers the service. Its `start()` registers its `ChatSurface` with
    `app.surfaces` (the core's cards, progress notes and notices reach it there), `stop()`
    takes it out."""

    name: str

    def add_routes(self, web_app: web.Application) -> None: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def is_ready(self) -> bool: ...


AdapterFactory = Callable[["App"], Awaitable[ServiceAdapter]]


@dataclasses.dataclass(frozen=True)
class Platform:
    """One chat platform as the runtime knows it."""

    start: AdapterFactory  # builds the adapter (imports the platform's client lazily)
    loggers: tuple[str, ...] = ()  # its client libraries' loggers, kept quieter than ours


async def _slack(app: App) -> ServiceAdapter:
    from bot.adapters.slack.service import service_adapter

    return await service_adapter(app, app.config.settings.slack, app.config.secrets)


async def _discord(app: App) -> ServiceAdapter:
    from bot.adapters.discord.service import service_adapter

    return await service_adapter(app, app.config.settings.discord, app.config.secrets)


async def _mattermost(app: App) -> ServiceAdapter:
    from bot.adapters.mattermost.service import service_adapter

    return await service_adapter(app, app.config.settings.mattermost, app.config.secrets)


PLATFORMS: Mapping[str, Platform] = {
    "slack": Platform(_slack, loggers=("slack_bolt", "slack_sdk")),
    "discord": Platform(_discord, loggers=("discord",)),
    "mattermost": Platform(_mattermost),
}


def library_loggers() -> list[str]:
    return [name for platform in PLATFORMS.values() for name in platform.loggers]
