"""`chatops run`: the configured chat adapters in one process.

Slack and Discord adapters plug in here as they are built; with none enabled
the command says so and exits, rather than idling.
"""

from __future__ import annotations

import sys

from bot.config import LoadedConfig


async def run_service(loaded: LoadedConfig) -> int:
    settings = loaded.settings
    if not settings.slack.enabled and not settings.discord.enabled:
        print(
            "chatops: no chat adapter is enabled; set slack.enabled or discord.enabled in the config "
            "(for a terminal chat use `chatops chat`)",
            file=sys.stderr,
        )
        return 2
    print("chatops: the Slack and Discord adapters are not part of this build yet", file=sys.stderr)
    return 2
