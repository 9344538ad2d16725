"""JSON shapes of the Discord API (v10) that the fake server sends: users, guilds, messages, interactions.

Only what discord.py reads is filled in, with the field names and types the
real API uses (snowflakes as strings, ISO timestamps). Nothing here talks to
a network.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

APP_ID = "900000000000000001"  # the application and the bot user share this id
GUILD_ID = "800000000000000001"
CHANNEL_ID = "700000000000000001"  # #ops
THREAD_ID = "700000000000000002"  # a thread under #ops
DM_CHANNEL_ID = "700000000000000009"
ADMIN_ROLE = "600000000000000001"
OPERATOR_ROLE = "600000000000000002"
BOT_TOKEN = "fake-discord-bot-token"

_snowflakes = itertools.count(1_100_000_000_000_000_000)


def snowflake() -> str:
    return str(next(_snowflakes))


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


@dataclasses.dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    roles: tuple[str, ...] = ()
    bot: bool = False

    def user(self) -> dict[str, Any]:
        return {
            "id": self.user_id,
            "username": self.name.lower(),
            "discriminator": "0",
            "global_name": self.name,
            "avatar": None,
            "bot": self.bot,
            "public_flags": 0,
        }

    def member(self, *, with_user: bool = True) -> dict[str, Any]:
        member: dict[str, Any] = {
            "roles": list(self.roles),
            "joined_at": "2024-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "nick": None,
            "avatar": None,
            "pending": False,
            "permissions": "2147483647",
        }
        if with_user:
            member["user"] = self.user()
        return member


BOT = Person(APP_ID, "ChatOps", bot=True)


def role(role_id: str, name: str, position: int) -> dict[str, Any]:
    return {
        "id": role_id,
        "name": name,
        "color": 0,
        "hoist": False,
        "position": position,
        "permissions": "0" if role_id != GUILD_ID else "1071698660928",
        "managed": False,
        "mentionable": False,
        "flags": 0,
        "icon": None,
        "unicode_emoji": None,
    }


def guild_create(people: Iterable[Person]) -> dict[str, Any]:
    return {
        "id": GUILD_ID,
        "name": "Platform",
        "owner_id": "1",
        "unavailable": False,
        "large": False,
        "member_count": 0,
        "joined_at": "2024-01-01T00:00:00+00:00",
        "roles": [
            role(GUILD_ID, "@everyone", 0),
            role(OPERATOR_ROLE, "operators", 1),
            role(ADMIN_ROLE, "admins", 2),
        ],
        "channels": [
            {
                "id": CHANNEL_ID,
                "type": 0,
                "guild_id": GUILD_ID,
                "name": "ops",
                "position": 0,
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "rate_limit_per_user": 0,
                "topic": None,
                "last_message_id": None,
            }
        ],
        "threads": [
            {
                "id": THREAD_ID,
                "type": 11,
                "guild_id": GUILD_ID,
                "parent_id": CHANNEL_ID,
                "name": "incident",
                "owner_id": APP_ID,
                "message_count": 0,
                "member_count": 1,
                "rate_limit_per_user": 0,
                "last_message_id": None,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": "2024-01-01T00:00:00+00:00",
                    "locked": False,
                },
            }
        ],
        "members": [p.member() for p in [BOT, *people]],
        "emojis": [],
        "stickers": [],
        "voice_states": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "features": [],
        "premium_tier": 0,
        "mfa_level": 0,
        "verification_level": 0,
        "explicit_content_filter": 0,
        "default_message_notifications": 0,
        "nsfw_level": 0,
        "system_channel_flags": 0,
        "preferred_locale": "en-US",
        "afk_timeout": 300,
    }


def message(
    *,
    message_id: str,
    channel_id: str,
    author: Person,
    content: str = "",
    guild_id: str | None = GUILD_ID,
    embeds: Sequence[Mapping[str, Any]] = (),
    components: Sequence[Mapping[str, Any]] = (),
    attachments: Sequence[Mapping[str, Any]] = (),
    mentions: Sequence[Person] = (),
    flags: int = 0,
    webhook_id: str | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": message_id,
        "channel_id": channel_id,
        "author": author.user(),
        "content": content,
        "timestamp": now_iso(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [p.user() for p in mentions],
        "mention_roles": [],
        "attachments": list(attachments),
        "embeds": list(embeds),
        "components": list(components),
        "pinned": False,
        "type": 0,
        "flags": flags,
    }
    if guild_id is not None:
        data["guild_id"] = guild_id
        data["member"] = author.member(with_user=False)
    if webhook_id is not None:
        data["webhook_id"] = webhook_id
        data["application_id"] = APP_ID
    return data


def channel_json(channel_id: str) -> dict[str, Any]:
    if channel_id == THREAD_ID:
        return {
            "id": THREAD_ID,
            "type": 11,
            "guild_id": GUILD_ID,
            "parent_id": CHANNEL_ID,
            "name": "incident",
        }
    if channel_id == DM_CHANNEL_ID:
        return {"id": DM_CHANNEL_ID, "type": 1, "recipients": []}
    return {"id": channel_id, "type": 0, "guild_id": GUILD_ID, "name": "ops", "position": 0}


def interaction(
    *,
    kind: int,
    person: Person,
    data: Mapping[str, Any],
    channel_id: str = CHANNEL_ID,
    card: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An INTERACTION_CREATE payload: 2 application command, 3 component, 4 autocomplete."""
    in_guild = channel_id != DM_CHANNEL_ID
    payload: dict[str, Any] = {
        "id": snowflake(),
        "application_id": APP_ID,
        "type": kind,
        "token": "itok-" + snowflake(),
        "version": 1,
        "channel_id": channel_id,
        "channel": channel_json(channel_id),
        "data": dict(data),
        "app_permissions": "2147483647",
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": 8 * 1024 * 1024,
        "context": 0 if in_guild else 1,
        "authorizing_integration_owners": {"0": GUILD_ID} if in_guild else {"1": person.user_id},
    }
    if in_guild:
        payload["guild_id"] = GUILD_ID
        payload["guild_locale"] = "en-US"
        payload["member"] = person.member()
    else:
        payload["user"] = person.user()
    if card is not None:
        payload["message"] = dict(card)
    return payload


def slash_options(values: Mapping[str, Any], *, focused: str | None = None) -> list[dict[str, Any]]:
    options = []
    for name, value in values.items():
        kind = 4 if isinstance(value, int) and not isinstance(value, bool) else 3
        option: dict[str, Any] = {"name": name, "type": kind, "value": value}
        if name == focused:
            option["focused"] = True
        options.append(option)
    return options
