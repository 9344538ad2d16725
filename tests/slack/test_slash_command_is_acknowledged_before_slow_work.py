"""`/k8s` is acknowledged at once, before any slow work; the answer is posted when ready,
in the channel (showing who asked) or only to the asker, per `slack.reply`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.domain.models import IncomingMessage, Reply
from bot.domain.outcomes import RequestContext
from tests.fake_slack.requests import SIGNING_SECRET, command_body, mention, sign
from tests.fake_slack.server import FakeSlack
from tests.slack.harness import SlackBot, running_bot
from tests.slack.helpers import shown


class SlowAgent:
    """A language-model stand-in that takes its time, as models do."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.asked: list[str] = []

    async def answer(self, message: IncomingMessage, ctx: RequestContext) -> list[Reply]:
        self.asked.append(message.text)
        await asyncio.sleep(self.seconds)
        return [Reply(f"I looked into it: {message.text}")]


async def test_the_ack_comes_back_before_the_slow_answer(bot: SlackBot) -> None:
    agent = SlowAgent(1.0)
    bot.app.router.agent = agent
    answer = await bot.sender.command("why is web slow?", user="UALICE")
    assert answer.status == 200
    assert answer.elapsed_s < 0.5
    assert answer.text.startswith("Working on")
    assert bot.fake.calls_to("chat.postMessage") == []  # the answer is still being worked on
    (post,) = await bot.fake.wait_for("chat.postMessage", timeout=5)
    await bot.settle()
    assert agent.asked == ["why is web slow?"]
    assert post.args["channel"] == "C0OPS" and post.args.get("thread_ts") is None
    text = shown(post.json_arg("blocks"))
    assert "<@UALICE> asked `/k8s why is web slow?`" in text
    assert "I looked into it" in text


async def test_a_command_is_parsed_as_a_command_without_the_bang(bot: SlackBot) -> None:
    await bot.sender.command("demo get web", user="UALICE")
    (post,) = await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    assert [r[0] for r in bot.backend.runs] == ["get"]
    assert "web" in shown(post.json_arg("blocks"))


async def test_an_empty_command_gets_usage_in_the_ack_and_nothing_else(bot: SlackBot) -> None:
    answer = await bot.sender.command("  ", user="UALICE")
    await bot.settle()
    assert "Usage: `/k8s <command or question>`" in answer.text
    assert bot.fake.calls_to("chat.postMessage") == []


async def test_ephemeral_mode_answers_only_the_asker_but_cards_stay_public(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'e.db'}", fake_slack, reply="ephemeral") as bot:
        await bot.sender.command("demo get web", user="UALICE")
        (note,) = await bot.fake.wait_for("chat.postEphemeral")
        await bot.sender.command("demo scale web --replicas 3", user="UALICE")
        (card,) = await bot.fake.wait_for("chat.postMessage")
        await bot.settle()
        assert note.args["user"] == "UALICE" and "web" in shown(note.json_arg("blocks"))
        assert card.args["channel"] == "C0OPS" and "Approval" in card.args["text"]


async def test_a_slow_mention_shows_an_hourglass_until_answered(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    async with running_bot(
        f"sqlite+aiosqlite:///{tmp_path / 'p.db'}", fake_slack, progress_after_s=0.1
    ) as bot:
        bot.app.router.agent = SlowAgent(0.5)
        await bot.sender.event(mention("what is wrong with web?", user="UALICE", ts="1699993000.000100"))
        await bot.fake.wait_for("chat.postMessage")
        await bot.settle()
        (added,) = bot.fake.calls_to("reactions.add")
        (removed,) = bot.fake.calls_to("reactions.remove")
        assert added.args["timestamp"] == removed.args["timestamp"] == "1699993000.000100"
        order = [c.method for c in bot.fake.calls if c.method in ("reactions.add", "chat.postMessage")]
        assert order == ["reactions.add", "chat.postMessage"]


async def test_a_command_where_the_bot_is_not_a_member_answers_through_the_response_url(
    bot: SlackBot,
) -> None:
    bot.fake.errors[("chat.postMessage", "C0ELSEWHERE")] = "not_in_channel"
    body = command_body(
        "demo get web", user="UALICE", channel="C0ELSEWHERE", response_url=bot.fake.response_url()
    )
    await bot.sender.send(body, json_body=False, headers=sign(body, secret=SIGNING_SECRET))
    (response,) = await bot.fake.wait_for("response_url")
    await bot.settle()
    assert response.args["response_type"] == "in_channel"
    assert "web" in shown(response.args["blocks"])
