"""Long output is uploaded as a file with a short summary; expired cards are updated to say so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.runtime.sweeper import Sweeper
from storage.records import ApprovalState
from tests.core.demo_ops import Backend
from tests.fake_slack.requests import mention
from tests.fake_slack.server import FakeSlack
from tests.slack.harness import SlackBot, running_bot
from tests.slack.helpers import approval_id_of, buttons, card_calls, shown


def _id(reply: Any) -> str:
    """A card's approval id (a card always has one)."""
    assert reply.approval_id is not None
    return str(reply.approval_id)


async def _row(store: Any, approval_id: str) -> Any:
    """The approval row, which must exist."""
    row = await store.get_approval(approval_id)
    assert row is not None
    return row


async def test_long_output_goes_into_a_file_in_the_thread(tmp_path: Path, fake_slack: FakeSlack) -> None:
    backend = Backend(replicas={f"app-{i:03d}": i for i in range(300)})
    async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'l.db'}", fake_slack, backend=backend) as bot:
        await bot.sender.event(mention("!demo get", user="UALICE", ts="1699994000.000100"))
        (complete,) = await bot.fake.wait_for("files.completeUploadExternal")
        await bot.settle()
    (post,) = fake_slack.calls_to("chat.postMessage")
    summary = shown(post.json_arg("blocks"))
    assert "Showing 15 of 302 lines" in summary and "app-299" not in summary
    (get_url,) = fake_slack.calls_to("files.getUploadURLExternal")
    (uploaded,) = fake_slack.uploads.values()
    assert b"app-299" in uploaded and int(get_url.args["length"]) == len(uploaded)
    assert complete.args["channel_id"] == "C0OPS" and complete.args["thread_ts"] == "1699994000.000100"


async def test_an_expired_card_is_updated_by_the_sweep(bot: SlackBot, sqlite_url: str) -> None:
    await bot.sender.event(mention("!demo scale web --replicas 9", user="UALICE", ts="1699995000.000100"))
    await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    (card,) = card_calls(bot.fake.calls_to("chat.postMessage"))
    engine = create_async_engine(sqlite_url)  # the clock moves past the expiry
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE approvals SET expires_at = :t"), {"t": "2000-01-01 00:00:00"})
    await engine.dispose()
    sweeper = Sweeper(bot.app)  # the service's one sweep, for every registered surface
    assert (await sweeper.sweep_once()).expired == 1
    (update,) = bot.fake.calls_to("chat.update")
    assert update.args["ts"] == bot.fake.result_of(card)["ts"]
    assert "expired" in shown(update.json_arg("blocks")) and buttons(update.json_arg("blocks")) == []
    assert (await _row(bot.app.store, approval_id_of(card))).state is ApprovalState.EXPIRED
    assert (await sweeper.sweep_once()).expired == 0  # nothing more to expire
    assert len(bot.fake.calls_to("chat.update")) == 1


async def test_a_click_on_an_expired_card_updates_it_and_runs_nothing(bot: SlackBot, sqlite_url: str) -> None:
    await bot.sender.event(mention("!demo scale web --replicas 9", user="UALICE", ts="1699995100.000100"))
    await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    (card,) = card_calls(bot.fake.calls_to("chat.postMessage"))
    engine = create_async_engine(sqlite_url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE approvals SET expires_at = :t"), {"t": "2000-01-01 00:00:00"})
    await engine.dispose()
    ts = bot.fake.result_of(card)["ts"]
    await bot.sender.click(
        "approve",
        approval_id_of(card),
        user="UOLGA",
        channel="C0OPS",
        message_ts=ts,
        thread_ts="1699995100.000100",
    )
    await bot.settle()
    (note,) = bot.fake.calls_to("chat.postEphemeral")
    assert "expired" in note.args["text"]
    assert "expired" in shown(bot.fake.calls_to("chat.update")[0].json_arg("blocks"))
    assert bot.backend.replicas["web"] == 2
