"""Acks first, answers after: while Slack sends a burst the core leaves the CPU to the ack server.

A request on its own is dispatched at once; requests that come in a burst wait in the core's queue until
the ack server says the burst has paused, at most the deferral bound each, and are then dispatched in
order; what a burst left queued is dispatched when the bot stops. The gaps here are seconds wide so that a
slow test machine cannot turn a burst into separate requests.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_slack.requests import mention
from tests.fake_slack.server import FakeSlack
from tests.slack.acked import Acked, acked_bot

NEVER_S = 600.0  # a gap or bound no test lasts


@pytest.fixture
async def held_until_pause(sqlite_url: str, fake_slack: FakeSlack) -> AsyncIterator[Acked]:
    async with acked_bot(sqlite_url, fake_slack, burst_gap_s=2.0, max_defer_s=NEVER_S) as running:
        yield running


@pytest.fixture
async def held_until_bound(sqlite_url: str, fake_slack: FakeSlack) -> AsyncIterator[Acked]:
    async with acked_bot(sqlite_url, fake_slack, burst_gap_s=NEVER_S, max_defer_s=0.5) as running:
        yield running


@pytest.fixture
async def held_until_stop(sqlite_url: str, fake_slack: FakeSlack) -> AsyncIterator[Acked]:
    async with acked_bot(sqlite_url, fake_slack, burst_gap_s=NEVER_S, max_defer_s=NEVER_S) as running:
        yield running


async def send_burst(acked: Acked, texts: list[str]) -> None:
    for text in texts:
        assert (await acked.sender.event(mention(text, user="UALICE"))).status == 200


async def test_a_request_on_its_own_is_dispatched_at_once(held_until_stop: Acked) -> None:
    # No pause signal and no bound would ever release it: only coming alone does.
    await send_burst(held_until_stop, ["!whoami"])
    await held_until_stop.settle(1)
    await held_until_stop.bot.fake.wait_for("chat.postMessage")


async def test_a_burst_waits_for_its_pause_and_is_then_dispatched(held_until_pause: Acked) -> None:
    acked = held_until_pause
    await send_burst(acked, ["!whoami", "!help", "!whoami", "!help"])
    # The first came alone and is dispatched; the other three came within the gap and wait.
    await acked.acks.wait_dispatched(1)
    assert acked.acks.dispatched == 1
    await acked.settle(4)  # the ack server says the burst paused two seconds after the last one
    await acked.bot.fake.wait_for("chat.postMessage", count=4)


async def test_a_burst_that_never_pauses_is_held_back_no_longer_than_the_bound(
    held_until_bound: Acked,
) -> None:
    await send_burst(held_until_bound, ["!whoami", "!help", "!whoami"])
    await held_until_bound.settle(3)
    await held_until_bound.bot.fake.wait_for("chat.postMessage", count=3)


async def test_what_a_burst_left_queued_is_dispatched_when_the_bot_stops(held_until_stop: Acked) -> None:
    acked = held_until_stop
    await send_burst(acked, ["!whoami", "!help", "!whoami"])
    await acked.acks.wait_dispatched(1)
    assert acked.acks.dispatched == 1
    await acked.acks.stop()
    assert acked.acks.dispatched == 3
    await acked.bot.fake.wait_for("chat.postMessage", count=3)
