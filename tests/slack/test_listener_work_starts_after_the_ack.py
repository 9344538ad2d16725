"""Work a listener hands over during a dispatch starts only once the transport has sent the ack."""

from __future__ import annotations

import asyncio

from tests.fake_slack.requests import command_body, sign
from tests.slack.harness import SlackBot


async def test_work_spawned_while_held_waits_for_start_held(bot: SlackBot) -> None:
    ran = asyncio.Event()

    async def work() -> None:
        ran.set()

    with bot.adapter.holding_work() as held:
        bot.adapter.spawn(work(), name="held-work")
        await asyncio.sleep(0)  # a turn of the loop: nothing may have started
        assert not ran.is_set()
        assert await bot.adapter.drain(0.0) == 0  # not even a task yet
    bot.adapter.start_held(held)
    await asyncio.wait_for(ran.wait(), timeout=5)


async def test_work_spawned_after_the_hold_closed_starts_at_once(bot: SlackBot) -> None:
    ran = asyncio.Event()

    async def work() -> None:
        ran.set()

    with bot.adapter.holding_work() as held:
        bot.adapter.start_held(held)
        bot.adapter.spawn(work(), name="late-work")  # e.g. a listener that outlived the dispatch
    await asyncio.wait_for(ran.wait(), timeout=5)


async def test_a_command_is_acknowledged_and_then_answered(bot: SlackBot) -> None:
    body = command_body("help", user="UALICE")
    answer = await bot.sender.send(body, json_body=False, headers=sign(body))
    assert answer.status == 200 and "Working on" in answer.text
    await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
