"""Retried events and repeated or concurrent clicks never run anything twice."""

from __future__ import annotations

import asyncio

from storage.records import ApprovalState
from tests.core.helpers import state_of
from tests.fake_slack.requests import mention
from tests.slack.harness import SlackBot
from tests.slack.helpers import approval_id_of, card_calls


async def filed_card(bot: SlackBot) -> tuple[str, str]:
    await bot.sender.event(mention("!demo scale web --replicas 7", user="UALICE", ts="1699992000.000100"))
    await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    (card,) = card_calls(bot.fake.calls_to("chat.postMessage"))
    return approval_id_of(card), bot.fake.result_of(card)["ts"]


async def approve(bot: SlackBot, approval_id: str, ts: str, user: str) -> int:
    answer = await bot.sender.click(
        "approve", approval_id, user=user, channel="C0OPS", message_ts=ts, thread_ts="1699992000.000100"
    )
    return answer.status


async def test_the_same_event_delivered_four_times_is_answered_once(bot: SlackBot) -> None:
    event = mention("!demo scale web --replicas 6", user="UALICE", ts="1699992100.000100")
    statuses = [
        (await bot.sender.event(event, event_id="Ev0SAME", retry_num=n or None)).status for n in range(4)
    ]
    await bot.settle()
    assert statuses == [200, 200, 200, 200]
    assert len(bot.fake.calls_to("chat.postMessage")) == 1
    assert len(await bot.app.store.list_approvals(states=[ApprovalState.PENDING])) == 1


async def test_the_same_event_delivered_concurrently_is_answered_once(bot: SlackBot) -> None:
    event = mention("!demo get web", user="UALICE", ts="1699992200.000100")
    answers = await asyncio.gather(*(bot.sender.event(event, event_id="Ev0RACE") for _ in range(4)))
    await bot.settle()
    assert {a.status for a in answers} == {200}
    assert len(bot.fake.calls_to("chat.postMessage")) == 1
    assert [r[0] for r in bot.backend.runs] == ["get"]


async def test_two_clicks_50_ms_apart_run_the_change_once(bot: SlackBot) -> None:
    approval_id, ts = await filed_card(bot)
    first = asyncio.create_task(approve(bot, approval_id, ts, "UOLGA"))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(approve(bot, approval_id, ts, "UOLGA"))
    assert await first == 200 and await second == 200
    await bot.settle()
    assert [r for r in bot.backend.runs if r[0] == "scale"] == [
        ("scale", {"cluster": None, "namespace": None, "name": "web", "replicas": 7})
    ]
    assert await state_of(bot.app.store, approval_id) is ApprovalState.SUCCEEDED


async def test_twenty_concurrent_clicks_run_the_change_once(bot: SlackBot) -> None:
    approval_id, ts = await filed_card(bot)
    clickers = ["UOLGA", "UALICE", "UBOB", "UDANA"] * 5
    statuses = await asyncio.gather(*(approve(bot, approval_id, ts, who) for who in clickers))
    await bot.settle()
    assert statuses == [200] * 20
    assert len([r for r in bot.backend.runs if r[0] == "scale"]) == 1
    assert bot.backend.replicas["web"] == 7
    # everyone but the winner is told privately why nothing more happened
    assert len(bot.fake.calls_to("chat.postEphemeral")) == 19
    results = [c for c in bot.fake.calls_to("chat.postMessage") if "scaled" in (c.args.get("text") or "")]
    assert len(results) == 1
