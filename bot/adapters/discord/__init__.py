"""The Discord adapter: discord.py's gateway client, slash commands and persistent approval buttons.

It turns mentions, direct messages, slash commands and button clicks into the
core's `IncomingMessage` / `router.handle_button` calls and renders `Reply`
as messages, embeds and attachments, with mentions disabled everywhere. It is
the only place that imports `discord`; it owns no policy, no approvals and no
audit rows.

Typical wiring (the service does this)::

    adapter = build_discord_adapter(app, settings=settings.discord, secrets=secrets)
    readiness.add(lambda: adapter.is_ready)
    await adapter.run()          # until cancelled
    # or simply: await run_discord(app, settings.discord, secrets)
"""

from .adapter import (
    AdapterOptions,
    ChatOpsClient,
    DiscordAdapter,
    DiscordConfigError,
    build_discord_adapter,
    run_discord,
)
from .cards import CardRef
from .lookups import DEFAULT_SOURCES, LookupSource
from .slash import Shortcuts
from .surface import DiscordSurface

__all__ = [
    "DEFAULT_SOURCES",
    "AdapterOptions",
    "CardRef",
    "ChatOpsClient",
    "DiscordAdapter",
    "DiscordConfigError",
    "DiscordSurface",
    "LookupSource",
    "Shortcuts",
    "build_discord_adapter",
    "run_discord",
]
