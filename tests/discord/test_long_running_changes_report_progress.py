"""A long-running change approved on Discord reports progress in one message edited in place, then
the card is updated through its channel and the result posted; approvals asked for on another
platform are told on that platform's surface, never on Discord."""

from __future__ import annotations

import asyncio
import dataclasses

from pydantic import Field

from bot.app import App
from storage.records import ApprovalState
from tests.discord.conftest import DiscordBot, running_bot
from tests.discord.helpers import approval_id_of, click_and_wait, request_card, shown
from tests.fake_discord import payloads as p
from tests.fake_discord.plugin import ALICE, OLGA
from tests.fake_discord.server import FakeDiscord
from tests.fakes.surface import RecordingSurface
from tools.base import (
    CommandSpec,
    NamespacedArgs,
    Operation,
    OperationResult,
    Preview,
    RunContext,
    Safety,
    Status,
)


class RollArgs(NamespacedArgs):
    name: str = Field(max_length=63)


def rolling_operation(gate: asyncio.Event) -> Operation:
    async def preview(args: RollArgs, ctx: RunContext) -> Preview:
        return Preview(text=f"app/{args.name} will be rolled")

    async def roll(args: RollArgs, ctx: RunContext) -> OperationResult:
        await ctx.progress("replica 1/2 ready")
        await gate.wait()
        await ctx.progress("replica 2/2 ready")
        return OperationResult(Status.OK, f"app/{args.name} rolled")

    return Operation(
        "demo_roll",
        "Roll a demo app.",
        Safety.WRITE,
        RollArgs,
        roll,
        CommandSpec(("demo", "roll"), positionals=("name",)),
        preview=preview,
        long_running=True,
    )


async def test_progress_is_edited_in_place_and_the_card_and_result_follow(
    sqlite_url: str, fake_discord: FakeDiscord
) -> None:
    gate = asyncio.Event()
    slack = RecordingSurface("slack")

    def another_adapter_first(app: App) -> None:
        app.surfaces.register(slack)

    async with running_bot(
        sqlite_url, fake_discord, extra_operations=[rolling_operation(gate)], prepare=another_adapter_first
    ) as bot:
        card = await request_card(bot, ALICE, "!demo roll web")
        approval_id = approval_id_of(card)
        await click_and_wait(bot, OLGA, card, f"chatops:approve:{approval_id}")
        note = await wait_note(bot, "replica 1/2 ready")
        assert "Working on approval" in note["content"]
        gate.set()
        await bot.fake.wait_for(lambda: "succeeded" in shown(bot.fake.messages[card["id"]]))
        await bot.fake.wait_for(
            lambda: [m for m in bot.fake.in_channel(p.CHANNEL_ID) if m["content"] == "app/web rolled"]
        )
        finished = bot.fake.messages[note["id"]]
        assert (
            finished["content"].startswith("Finished approval") and "replica 2/2 ready" in finished["content"]
        )
        record = await bot.app.desk.get(approval_id)
        assert record is not None and record.state is ApprovalState.SUCCEEDED
        assert slack.sent == []  # a Discord approval is told on Discord only

        discord_messages = len(bot.fake.in_channel(p.CHANNEL_ID))
        slack_row = dataclasses.replace(record, requester_platform="slack")
        await bot.app.notices.notice(slack_row, "done elsewhere")
        assert slack.notices() == ["done elsewhere"]
        assert len(bot.fake.in_channel(p.CHANNEL_ID)) == discord_messages
    assert bot.app.surfaces.get("discord") is None  # taken out at close
    assert bot.app.surfaces.get("slack") is slack


async def wait_note(bot: DiscordBot, line: str) -> dict[str, object]:
    (note,) = await bot.fake.wait_for(
        lambda: [m for m in bot.fake.in_channel(p.CHANNEL_ID) if line in str(m["content"])]
    )
    return note
