"""Clicks on a card that is already decided are answered privately; the card is not redrawn."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from tests.fake_slack.requests import mention
from tests.slack.harness import SlackBot
from tests.slack.helpers import approval_id_of, card_calls, shown


async def test_duplicate_clicks_get_an_ephemeral_answer_and_no_chat_update(bot: SlackBot) -> None:
    await bot.sender.event(mention("!demo scale web --replicas 5", user="UALICE", ts="1699993000.000100"))
    await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    (card,) = card_calls(bot.fake.calls_to("chat.postMessage"))
    approval_id, ts = approval_id_of(card), bot.fake.result_of(card)["ts"]

    async def click(user: str) -> None:
        answer = await bot.sender.click(
            "approve", approval_id, user=user, channel="C0OPS", message_ts=ts, thread_ts="1699993000.000100"
        )
        assert answer.status == 200
        await bot.settle()

    await click("UOLGA")
    assert len(bot.fake.calls_to("chat.update")) == 1  # the decision redraws the card once
    for user in ("UOLGA", "UALICE", "UOLGA", "UBOB", "UALICE"):
        await click(user)
    assert len(bot.fake.calls_to("chat.update")) == 1
    notes = bot.fake.calls_to("chat.postEphemeral")
    assert len(notes) == 5
    assert all(f"Approval {approval_id} was already approved by Olga" in n.args["text"] for n in notes)
    assert [n.args["user"] for n in notes] == ["UOLGA", "UALICE", "UOLGA", "UBOB", "UALICE"]
    assert bot.backend.replicas["web"] == 5


async def test_clicks_on_an_expired_card_redraw_it_once(bot: SlackBot, sqlite_url: str) -> None:
    await bot.sender.event(mention("!demo scale web --replicas 9", user="UALICE", ts="1699993100.000100"))
    await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    (card,) = card_calls(bot.fake.calls_to("chat.postMessage"))
    engine = create_async_engine(sqlite_url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE approvals SET expires_at = :t"), {"t": "2000-01-01 00:00:00"})
    await engine.dispose()
    ts = bot.fake.result_of(card)["ts"]
    for user in ("UOLGA", "UOLGA", "UALICE"):
        await bot.sender.click(
            "approve",
            approval_id_of(card),
            user=user,
            channel="C0OPS",
            message_ts=ts,
            thread_ts="1699993100.000100",
        )
        await bot.settle()
    (update,) = bot.fake.calls_to("chat.update")  # the first click found it expired: one redraw
    assert "expired" in shown(update.json_arg("blocks"))
    notes = bot.fake.calls_to("chat.postEphemeral")
    assert len(notes) == 3 and all("expired" in n.args["text"] for n in notes)
    assert bot.backend.replicas["web"] == 2
