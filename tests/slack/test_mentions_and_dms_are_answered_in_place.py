"""A mention is answered in its thread, a thread stays one conversation, a DM is answered in the DM,
and messages from bots (including the bot itself) are never answered."""

from __future__ import annotations

from tests.fake_slack.requests import direct_message, mention
from tests.slack.harness import SlackBot
from tests.slack.helpers import shown


async def test_a_mention_is_answered_in_the_thread_it_starts(bot: SlackBot) -> None:
    answer = await bot.sender.event(mention("!demo get", user="UALICE", ts="1699990001.000100"))
    assert answer.status == 200
    (post,) = await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    assert post.args["channel"] == "C0OPS"
    assert post.args["thread_ts"] == "1699990001.000100"
    assert post.token is not None and post.token.startswith("xoxb-")
    text = shown(post.json_arg("blocks"))
    assert "web" in text and "api" in text
    assert ("get", {"cluster": None, "namespace": None, "name": None}) in bot.backend.runs


async def test_a_mention_inside_a_thread_continues_that_thread(bot: SlackBot) -> None:
    await bot.sender.event(mention("!demo get web", user="UALICE", ts="1699990002.000100"))
    await bot.sender.event(
        mention("!demo get api", user="UALICE", ts="1699990003.000100", thread_ts="1699990002.000100")
    )
    posts = await bot.fake.wait_for("chat.postMessage", 2)
    await bot.settle()
    assert {p.args["thread_ts"] for p in posts} == {"1699990002.000100"}
    history = await bot.app.store.conversation(platform="slack", channel="C0OPS", thread="1699990002.000100")
    assert [m.content for m in history if m.role == "user"] == ["!demo get web", "!demo get api"]


async def test_a_direct_message_is_answered_in_the_dm(bot: SlackBot) -> None:
    await bot.sender.event(direct_message("!demo get web", user="UALICE", channel="D0ALICE"))
    (post,) = await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    assert post.args["channel"] == "D0ALICE"
    assert post.args.get("thread_ts") is None
    assert "web" in shown(post.json_arg("blocks"))


async def test_messages_from_bots_and_from_itself_are_ignored(bot: SlackBot) -> None:
    from_bot = direct_message("!demo get", user="UOTHERBOT") | {"bot_id": "B0OTHER"}
    bot_message = direct_message("!demo get", user="UALICE") | {"subtype": "bot_message"}
    from_itself = direct_message("!demo get", user="UBOT")
    edited = direct_message("!demo get", user="UALICE") | {"subtype": "message_changed"}
    for event in (from_bot, bot_message, from_itself, edited):
        assert (await bot.sender.event(event)).status == 200
    await bot.settle()
    assert bot.fake.calls_to("chat.postMessage") == []
    assert bot.backend.runs == []
