"""The Discord adapter: one discord.py client, its command tree, and the hand-over to the core.

`DiscordAdapter` wires the client (mentions disabled client-wide), the slash
commands and the persistent approval buttons; `run()` logs in and stays
connected until cancelled. At set-up (after login, before the gateway) it
registers the dynamic buttons, registers the Discord `ChatSurface` with the
core (progress notes, notices and redrawn cards reach Discord through it) and
syncs the commands: globally, or to each of `discord.guild_ids` (instant,
for development). It owns no policy, no approvals and no audit rows;
everything it is told goes to `app.router`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping
from typing import Any

import discord

from bot.app import App
from bot.settings.config import Secrets
from bot.settings.platforms import DiscordSettings

from .buttons import DYNAMIC_ITEMS, ClickHandler
from .clicks import Clicks
from .conversations import Conversations
from .convert import interaction_place, interaction_principal
from .lookups import DEFAULT_SOURCES, Lookups, LookupSource
from .poster import Poster
from .slash import Shortcuts, build_tree
from .surface import DiscordSurface

log = logging.getLogger(__name__)


class DiscordConfigError(Exception):
    """The Discord adapter cannot start; the message says which setting to fix."""


@dataclasses.dataclass(frozen=True)
class AdapterOptions:
    guild_ids: tuple[int, ...] = ()  # sync commands to these guilds; empty: globally
    shortcuts: Shortcuts = dataclasses.field(default_factory=Shortcuts)
    lookup_sources: Mapping[str, LookupSource] = dataclasses.field(
        default_factory=lambda: dict(DEFAULT_SOURCES)
    )
    lookup_timeout_s: float = 2.0  # Discord drops autocomplete answers after 3 s
    lookup_ttl_s: float = 30.0
    sync_commands: bool = True
    guild_ready_timeout_s: float = 2.0  # how long READY waits for the guilds' data


class ChatOpsClient(discord.Client):
    """A client that hands everything to its adapter; `click_handler` is read by the buttons."""

    def __init__(self, adapter: DiscordAdapter) -> None:
        intents = discord.Intents.none()
        intents.guilds = True  # roles of members, channels and threads
        intents.guild_messages = (
            True  # mentions of the bot (their content comes without the privileged intent)
        )
        intents.dm_messages = True
        super().__init__(
            intents=intents,
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=adapter.options.guild_ready_timeout_s,
        )
        self.adapter = adapter
        self.click_handler: ClickHandler | None = None

    async def setup_hook(self) -> None:
        await self.adapter.setup()

    async def on_message(self, message: discord.Message) -> None:
        await self.adapter.on_message(message)


class DiscordAdapter:
    def __init__(self, app: App, *, token: str, options: AdapterOptions) -> None:
        self.app = app
        self.options = options
        self._token = token
        self.client = ChatOpsClient(self)
        self.poster = Poster(self.client, app.cards)
        self.surface = DiscordSurface(self.poster)
        self.lookups = Lookups(
            registry=app.registry,
            gateway=app.executor,
            sources=options.lookup_sources,
            ttl_s=options.lookup_ttl_s,
            timeout_s=options.lookup_timeout_s,
        )
        self._conversations = Conversations(router=app.router, poster=self.poster)
        self.client.click_handler = Clicks(
            router=app.router, desk=app.desk, poster=self.poster, cards=app.cards
        )
        self.tree = build_tree(self.client, handlers=self, registry=app.registry, shortcuts=options.shortcuts)

    @property
    def is_ready(self) -> bool:
        """Connected to the gateway and past READY: what `/readyz` reports."""
        return self.client.is_ready() and not self.client.is_closed()

    # --- start-up -------------------------------------------------------------------------------
    async def setup(self) -> None:
        self.client.add_dynamic_items(*DYNAMIC_ITEMS)
        self.app.surfaces.register(self.surface)  # logged in: the core may post through it now
        if self.options.sync_commands:
            await self.sync_commands()

    async def sync_commands(self) -> None:
        try:
            if not self.options.guild_ids:
                synced = await self.tree.sync()
                log.info("synced %d Discord commands globally (may take up to an hour to show)", len(synced))
            for guild_id in self.options.guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d Discord commands to guild %s", len(synced), guild_id)
        except discord.HTTPException as e:  # the bot still answers mentions and buttons without them
            log.warning(
                "could not sync the slash commands (HTTP %s): invite the bot with the "
                "applications.commands scope, or check discord.guild_ids",
                e.status,
            )

    # --- what the client hands over ---------------------------------------------------------
    async def on_message(self, message: discord.Message) -> None:
        if self.client.user is not None:
            await self._conversations.on_message(message, bot_id=self.client.user.id)

    async def on_slash(self, interaction: discord.Interaction[Any], *, text: str, as_command: bool) -> None:
        await self._conversations.on_slash(interaction, text=text, as_command=as_command)

    async def suggest(self, interaction: discord.Interaction[Any], kind: str, current: str) -> list[str]:
        if kind == "cluster":
            return [n for n in self.app.clusters.names() if current.lower() in n.lower()][:25]
        chosen = interaction.namespace
        cluster = getattr(chosen, "cluster", None)
        namespace = getattr(chosen, "namespace", None)
        try:
            return await self.lookups.names(
                kind,
                principal=interaction_principal(interaction),
                channel=interaction_place(interaction).channel,
                cluster=cluster if isinstance(cluster, str) and cluster else None,
                namespace=namespace if isinstance(namespace, str) and namespace else None,
                prefix=current,
            )
        except Exception:  # a suggestion is never worth an error
            log.exception("autocomplete of %s failed", kind)
            return []

    # --- lifecycle ------------------------------------------------------------------------------
    async def run(self) -> None:
        """Log in and stay connected (reconnecting as needed) until cancelled."""
        try:
            await self.client.start(self._token)
        except discord.LoginFailure:
            raise DiscordConfigError(
                "Discord refused DISCORD_BOT_TOKEN; check the token in the environment"
            ) from None
        finally:
            await self.close()

    async def close(self) -> None:
        self.app.surfaces.unregister(self.surface)
        if not self.client.is_closed():
            await self.client.close()


def build_discord_adapter(
    app: App,
    *,
    settings: DiscordSettings,
    secrets: Secrets,
    options: AdapterOptions | None = None,
) -> DiscordAdapter:
    if not secrets.discord_bot_token:
        raise DiscordConfigError("DISCORD_BOT_TOKEN is not set; the Discord adapter needs the bot's token")
    options = options or AdapterOptions()
    options = dataclasses.replace(options, guild_ids=tuple(settings.guild_ids) or options.guild_ids)
    return DiscordAdapter(app, token=secrets.discord_bot_token, options=options)


async def run_discord(app: App, settings: DiscordSettings, secrets: Secrets) -> None:
    """Run the Discord adapter until cancelled (the service's entry point)."""
    adapter = build_discord_adapter(app, settings=settings, secrets=secrets)
    await adapter.run()
