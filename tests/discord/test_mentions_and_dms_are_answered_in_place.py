"""Mentions of the bot and direct messages go to the router; the answer lands in the same channel,
thread or DM, and each thread is its own conversation. Other messages are left alone."""

from __future__ import annotations

from typing import Any

from tests.discord.conftest import DiscordBot
from tests.fake_discord import payloads as p
from tests.fake_discord.plugin import ALICE, VIC


async def answers_in(bot: DiscordBot, channel_id: str, count: int = 1) -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = await bot.fake.wait_for(
        lambda: len(bot.fake.in_channel(channel_id)) >= count and bot.fake.in_channel(channel_id)
    )
    return answers


async def test_a_mention_in_a_channel_is_answered_in_that_channel(bot: DiscordBot) -> None:
    await bot.fake.say(ALICE, "!demo get web", mention_bot=True)
    (answer,) = await answers_in(bot, p.CHANNEL_ID)
    assert "1 app(s)" in str(answer["content"])
    assert bot.backend.runs == [("get", {"cluster": None, "namespace": None, "name": "web"})]


async def test_a_mention_in_a_thread_is_answered_in_the_thread_and_kept_as_its_conversation(
    bot: DiscordBot,
) -> None:
    await bot.fake.say(VIC, "!demo get api", channel_id=p.THREAD_ID, mention_bot=True)
    (answer,) = await answers_in(bot, p.THREAD_ID)
    assert "1 app(s)" in str(answer["content"])
    assert bot.fake.in_channel(p.CHANNEL_ID) == []
    thread = await bot.app.store.conversation(platform="discord", channel=p.CHANNEL_ID, thread=p.THREAD_ID)
    assert [(m.role, m.user_id) for m in thread] == [("user", VIC.user_id), ("assistant", VIC.user_id)]
    channel = await bot.app.store.conversation(platform="discord", channel=p.CHANNEL_ID, thread=p.CHANNEL_ID)
    assert channel == []


async def test_a_direct_message_is_answered_in_the_dm(bot: DiscordBot) -> None:
    await bot.fake.say(ALICE, "!demo get", channel_id=p.DM_CHANNEL_ID)
    (answer,) = await answers_in(bot, p.DM_CHANNEL_ID)
    assert "3 app(s)" in str(answer["content"])


async def test_messages_that_do_not_mention_the_bot_are_ignored(bot: DiscordBot) -> None:
    await bot.fake.say(ALICE, "!demo get web")
    await bot.fake.say(ALICE, "@everyone !demo get web")
    await bot.fake.say(ALICE, "!demo get", mention_bot=True)  # the marker that the others were seen first
    await answers_in(bot, p.CHANNEL_ID)  # answered after the two before it were handled (in order)
    assert len(bot.fake.in_channel(p.CHANNEL_ID)) == 1
    assert bot.backend.runs == [("get", {"cluster": None, "namespace": None, "name": None})]
