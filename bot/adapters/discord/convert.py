"""Discord users, channels and messages → the core's `Principal` and `IncomingMessage`.

A person is a `Principal` of platform "discord" whose memberships are
`discord:user:<id>` and `discord:role:<id>` for each of their roles in the guild
(what `policy.roles.*.members` lists) and whose `team` is the guild id. A conversation is a thread: in a Discord thread the thread
id, elsewhere the channel id; the policy channel is the parent channel, so a
thread follows its channel's mode. Converters only: nothing here sends,
decides or remembers anything.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

import discord

from bot.domain.models import IncomingMessage, Principal

PLATFORM = "discord"
MENTION = re.compile(r"<@!?(\d+)>")


@dataclasses.dataclass(frozen=True)
class Place:
    """Where a conversation is: `channel` for policy and defaults, `thread` for replies and history."""

    channel: str
    thread: str
    is_direct: bool = False

    @property
    def destination(self) -> int:
        return int(self.thread)


def to_memberships(user_id: str, *, role_ids: Iterable[str]) -> tuple[str, ...]:
    """`discord:user:…` and one `discord:role:…` per role (never the guild's @everyone role)."""
    return (
        Principal.member(PLATFORM, "user", user_id),
        *(Principal.member(PLATFORM, "role", r) for r in role_ids),
    )


def to_principal(user: discord.User | discord.Member, *, guild_id: int | None) -> Principal:
    roles: tuple[str, ...] = ()
    if isinstance(user, discord.Member):
        roles = tuple(str(role.id) for role in user.roles if not role.is_default())
    return Principal(
        platform=PLATFORM,
        user_id=str(user.id),
        display_name=user.display_name,
        memberships=to_memberships(str(user.id), role_ids=roles),
        team=str(guild_id) if guild_id is not None else None,
    )


def to_place(channel: object, *, channel_id: int | None) -> Place:
    """The conversation of a channel object (possibly partial) or, failing that, its id."""
    if isinstance(channel, discord.Thread):
        parent = channel.parent_id or channel.id
        return Place(channel=str(parent), thread=str(channel.id))
    if isinstance(channel, discord.DMChannel | discord.GroupChannel):
        return Place(channel=str(channel.id), thread=str(channel.id), is_direct=True)
    if isinstance(channel, discord.PartialMessageable) and channel.type is discord.ChannelType.private:
        return Place(channel=str(channel.id), thread=str(channel.id), is_direct=True)
    ident = getattr(channel, "id", None) or channel_id
    if ident is None:
        raise ValueError("an interaction without a channel cannot be answered in place")
    return Place(channel=str(ident), thread=str(ident))


def interaction_place(interaction: discord.Interaction[discord.Client]) -> Place:
    return to_place(interaction.channel, channel_id=interaction.channel_id)


def interaction_principal(interaction: discord.Interaction[discord.Client]) -> Principal:
    return to_principal(interaction.user, guild_id=interaction.guild_id)


def is_for_bot(message: discord.Message, *, bot_id: int) -> bool:
    """A direct message, or a message that mentions the bot by id (never @everyone or @here)."""
    if message.author.bot or message.author.id == bot_id:
        return False
    return message.guild is None or bot_id in message.raw_mentions


def strip_bot_mention(text: str, *, bot_id: int) -> str:
    return MENTION.sub(lambda m: "" if int(m.group(1)) == bot_id else m.group(0), text).strip()


def to_message(message: discord.Message, *, bot_id: int) -> IncomingMessage:
    place = to_place(message.channel, channel_id=message.channel.id)
    guild_id = message.guild.id if message.guild is not None else None
    return IncomingMessage(
        principal=to_principal(message.author, guild_id=guild_id),
        channel=place.channel,
        text=strip_bot_mention(message.content, bot_id=bot_id),
        thread=place.thread,
        event_id=f"message:{message.id}",
        is_direct=place.is_direct,
    )


def to_slash_message(
    interaction: discord.Interaction[discord.Client], *, text: str, as_command: bool
) -> IncomingMessage:
    place = interaction_place(interaction)
    return IncomingMessage(
        principal=interaction_principal(interaction),
        channel=place.channel,
        text=text,
        thread=place.thread,
        event_id=f"interaction:{interaction.id}",
        is_direct=place.is_direct,
        via_slash_command=as_command,
    )
