"""The chat platforms' own config sections and secret variables: the one module of the
settings layer that names them (with `bot.settings.legacy`, which translates old keys).

Each platform has a section model (`ChatSection`: `enabled`, the environment variables
it needs, a short description for `chatops check`), a field of `PlatformSections`
(which `Settings` extends) and its secret values in `PlatformSecrets` (which `Secrets`
extends). Adding a platform is one section model, one field in each, and one entry
in the runtime's adapter table (`bot.runtime.platforms`). Nothing here decides who
may do what: roles, identities and channel rules match membership strings.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChatSection(_Model):
    """What every platform section has: a switch, and the secrets it needs when on."""

    enabled: bool = False

    def secret_variables(self) -> tuple[str, ...]:
        """Environment variables this section needs when enabled."""
        return ()

    def describe(self) -> str:
        """A few words for `chatops check` (e.g. the mode)."""
        return ""

    def missing_settings(self) -> tuple[tuple[str, str], ...]:
        """(key, what it is) of settings this section needs when enabled but lacks."""
        return ()

    def optional_secret_variables(self) -> tuple[tuple[str, str], ...]:
        """(variable, what works only with it): `chatops check` says which are unset."""
        return ()


class SlackSettings(ChatSection):
    mode: Literal["socket", "http"] = "socket"
    api_base_url: str | None = None
    slash_command: str = "/k8s"
    reply: Literal["in_channel", "ephemeral"] = "in_channel"

    def secret_variables(self) -> tuple[str, ...]:
        return ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN" if self.mode == "socket" else "SLACK_SIGNING_SECRET")

    def describe(self) -> str:
        return f"{self.mode} mode"


class DiscordSettings(ChatSection):
    guild_ids: tuple[int, ...] = ()

    def secret_variables(self) -> tuple[str, ...]:
        return ("DISCORD_BOT_TOKEN",)


class MattermostSettings(ChatSection):
    url: str | None = None  # the Mattermost server, e.g. https://chat.example.com
    team: str | None = None  # team name whose roles count as memberships; None: none
    # Where Mattermost reaches this bot (the service's HTTP server): buttons post to
    # {public_url}/mattermost/actions, the slash command to {public_url}/mattermost/command.
    public_url: str | None = None
    slash_command: str = "/k8s"  # the trigger word configured in Mattermost (for usage hints)

    @field_validator("url", "public_url")
    @classmethod
    def _is_http(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/") if value else value

    def secret_variables(self) -> tuple[str, ...]:
        return ("CHATOPS_MATTERMOST_TOKEN", "CHATOPS_MATTERMOST_ACTION_SECRET")

    def describe(self) -> str:
        return self.url or ""

    def optional_secret_variables(self) -> tuple[tuple[str, str], ...]:
        return (("CHATOPS_MATTERMOST_SLASH_TOKEN", "the slash command"),)

    def missing_settings(self) -> tuple[tuple[str, str], ...]:
        missing = []
        if not self.url:
            missing.append(("url", "the server's address"))
        if not self.public_url:
            missing.append(
                ("public_url", "the address where Mattermost reaches this bot, for approval buttons")
            )
        return tuple(missing)


class PlatformSections(_Model):
    """The top-level config sections of the chat platforms (`Settings` extends this)."""

    slack: SlackSettings = SlackSettings()
    discord: DiscordSettings = DiscordSettings()
    mattermost: MattermostSettings = MattermostSettings()

    def chat_sections(self) -> dict[str, ChatSection]:
        """Platform name → its section, in the order above."""
        return {name: getattr(self, name) for name in PlatformSections.model_fields}


# Environment variable → the `PlatformSecrets` field that holds it.
PLATFORM_SECRET_VARIABLES: Mapping[str, str] = {
    "SLACK_BOT_TOKEN": "slack_bot_token",
    "SLACK_APP_TOKEN": "slack_app_token",
    "SLACK_SIGNING_SECRET": "slack_signing_secret",
    "DISCORD_BOT_TOKEN": "discord_bot_token",
    "CHATOPS_MATTERMOST_TOKEN": "mattermost_bot_token",
    "CHATOPS_MATTERMOST_SLASH_TOKEN": "mattermost_slash_token",
    "CHATOPS_MATTERMOST_ACTION_SECRET": "mattermost_action_secret",
}


@dataclasses.dataclass(frozen=True, repr=False)
class PlatformSecrets:
    """The platforms' secret values (`Secrets` extends this; its `repr` never shows them)."""

    slack_bot_token: str | None = None
    slack_app_token: str | None = None
    slack_signing_secret: str | None = None
    discord_bot_token: str | None = None
    mattermost_bot_token: str | None = None
    mattermost_slash_token: str | None = None
    mattermost_action_secret: str | None = None

    def platform_secret(self, variable: str) -> str | None:
        field = PLATFORM_SECRET_VARIABLES.get(variable)
        value = getattr(self, field) if field else None
        return value if isinstance(value, str) else None


def platform_secrets_from_env(get: Callable[[str], str | None]) -> dict[str, Any]:
    """`PlatformSecrets` field → value (str or None) read with `get`, a stripped environment lookup."""
    return {field: get(variable) for variable, field in PLATFORM_SECRET_VARIABLES.items()}
