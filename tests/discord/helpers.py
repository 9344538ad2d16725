"""Reading the fake Discord's messages: cards, their buttons, what a person was shown."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from bot.adapters.discord.clicks import Clicks
from tests.discord.conftest import DiscordBot
from tests.fake_discord import payloads as p

Message = dict[str, Any]


def custom_ids(message: Mapping[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row.get("components", [])]


def is_card(message: Mapping[str, Any]) -> bool:
    return bool(message.get("embeds")) and "Approval" in message["embeds"][0].get("title", "")


def shown(message: Mapping[str, Any]) -> str:
    """All the text a person sees in a message: content, embed title, description and fields."""
    parts = [message.get("content") or ""]
    for embed in message.get("embeds", []):
        parts += [embed.get("title", ""), embed.get("description", "")]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


def is_ephemeral(message: Mapping[str, Any]) -> bool:
    return bool(int(message.get("flags", 0)) & 64)


def approval_id_of(card: Mapping[str, Any]) -> str:
    return str(card["embeds"][0]["title"].split()[1].rstrip(":"))


async def request_card(
    bot: DiscordBot, person: p.Person, text: str, *, channel_id: str = p.CHANNEL_ID
) -> Message:
    """A request by mention; returns the approval card the bot posted for it."""
    before = {m["id"] for m in bot.fake.in_channel(channel_id) if is_card(m)}
    await bot.fake.say(person, text, channel_id=channel_id, mention_bot=True)
    cards: list[Message] = await bot.fake.wait_for(
        lambda: [m for m in bot.fake.in_channel(channel_id) if is_card(m) and m["id"] not in before]
    )
    (card,) = cards
    return card


async def click_and_wait(bot: DiscordBot, person: p.Person, card: Message, custom_id: str) -> Message:
    """Click a button; returns the interaction once its last follow-up or edit has arrived."""
    interaction = await bot.fake.click(person, card["id"], custom_id)
    await bot.fake.wait_for(lambda: bot.fake.callbacks(interaction))
    await settle(bot)
    return interaction


async def settle(bot: DiscordBot) -> None:
    """Wait until the adapter has finished every click it started (its card edits and follow-ups sent)."""
    clicks = bot.adapter.client.click_handler
    assert isinstance(clicks, Clicks)
    await asyncio.wait_for(clicks.idle(), timeout=10)
