"""The Mattermost adapter as one part of `chatops run`: built from the settings and the secrets.

The adapter itself is the service adapter (routes, start, stop, readiness,
card refresh); this module checks what it needs and builds it. The service
sweeps expiries once for every adapter and hands the settled rows to
`announce`.
"""

from __future__ import annotations

from bot.app import App
from bot.settings.config import Secrets
from bot.settings.platforms import MattermostSettings

from .adapter import AdapterOptions, MattermostAdapter
from .cards import CardIndex


class MattermostConfigError(Exception):
    """The Mattermost adapter cannot start; the message says which setting to fix."""


def build_mattermost_adapter(
    app: App,
    *,
    settings: MattermostSettings,
    secrets: Secrets,
    cards: CardIndex | None = None,
    **options: float,
) -> MattermostAdapter:
    """`options` override the timing fields of `AdapterOptions` (tests make back-off short)."""
    if not settings.url or not settings.public_url:
        raise MattermostConfigError("mattermost.url and mattermost.public_url must both be set")
    if not secrets.mattermost_bot_token:
        raise MattermostConfigError(
            "CHATOPS_MATTERMOST_TOKEN is not set; the Mattermost adapter needs the bot's token"
        )
    if not secrets.mattermost_action_secret:
        raise MattermostConfigError(
            "CHATOPS_MATTERMOST_ACTION_SECRET is not set; approval buttons are signed with it"
        )
    return MattermostAdapter(
        app,
        token=secrets.mattermost_bot_token,
        action_secret=secrets.mattermost_action_secret,
        slash_token=secrets.mattermost_slash_token,
        options=AdapterOptions(
            url=settings.url,
            public_url=settings.public_url,
            team=settings.team,
            slash_command=settings.slash_command,
            **options,  # type: ignore[arg-type]
        ),
        cards=cards,
    )


async def service_adapter(app: App, settings: MattermostSettings, secrets: Secrets) -> MattermostAdapter:
    return build_mattermost_adapter(app, settings=settings, secrets=secrets)
