"""HTTP mode through the ack server (a process of its own): same acks, each request handed over once,
duplicates still dropped by the core, unsigned requests never handed over, nothing acknowledged lost at stop."""

from __future__ import annotations

import asyncio
import os
import signal

import aiohttp

from storage.records import ApprovalState
from tests.fake_slack.requests import SlackSender, command_body, mention
from tests.slack.acked import Acked
from tests.slack.helpers import approval_id_of, card_calls


async def test_a_retried_event_is_acknowledged_each_time_and_answered_once(acked: Acked) -> None:
    event = mention("!demo scale web --replicas 6", user="UALICE", ts="1699993100.000100")
    statuses = [
        (await acked.sender.event(event, event_id="Ev0ACKSAME", retry_num=n or None)).status for n in range(4)
    ]
    await acked.settle(4)
    assert statuses == [200, 200, 200, 200]
    assert len(acked.bot.fake.calls_to("chat.postMessage")) == 1
    assert len(await acked.bot.app.store.list_approvals(states=[ApprovalState.PENDING])) == 1


async def test_concurrent_duplicates_run_the_read_once(acked: Acked) -> None:
    event = mention("!demo get web", user="UALICE", ts="1699993200.000100")
    answers = await asyncio.gather(*(acked.sender.event(event, event_id="Ev0ACKRACE") for _ in range(4)))
    await acked.settle(4)
    assert {a.status for a in answers} == {200}
    assert len(acked.bot.fake.calls_to("chat.postMessage")) == 1
    assert [r[0] for r in acked.bot.backend.runs] == ["get"]


async def test_two_approve_clicks_run_the_change_once(acked: Acked) -> None:
    await acked.sender.event(mention("!demo scale web --replicas 7", user="UALICE", ts="1699993300.000100"))
    await acked.bot.fake.wait_for("chat.postMessage")
    await acked.settle(1)
    (card,) = card_calls(acked.bot.fake.calls_to("chat.postMessage"))
    approval_id, ts = approval_id_of(card), acked.bot.fake.result_of(card)["ts"]
    clicks = [
        acked.sender.click(
            "approve",
            approval_id,
            user="UOLGA",
            channel="C0OPS",
            message_ts=ts,
            thread_ts="1699993300.000100",
        )
        for _ in range(2)
    ]
    assert {a.status for a in await asyncio.gather(*clicks)} == {200}
    await acked.settle(3)
    assert [r for r in acked.bot.backend.runs if r[0] == "scale"] == [
        ("scale", {"cluster": None, "namespace": None, "name": "web", "replicas": 7})
    ]
    row = await acked.bot.app.store.get_approval(approval_id)
    assert row is not None and row.state is ApprovalState.SUCCEEDED


async def test_an_unsigned_request_is_refused_and_never_handed_over(acked: Acked) -> None:
    body = command_body("!demo get web", user="UALICE")
    stale = await acked.sender.send(
        body, json_body=False, headers={"X-Slack-Signature": "v0=00", "X-Slack-Request-Timestamp": "1"}
    )
    assert stale.status == 401
    good = await acked.sender.event(mention("!whoami", user="UALICE", ts="1699993400.000100"))
    assert good.status == 200
    await acked.settle(1)
    assert acked.acks.dispatched == 1  # the signed one only: hand-overs keep their order
    assert acked.bot.backend.runs == []


async def test_slash_commands_are_acknowledged_with_the_same_words(acked: Acked) -> None:
    working = await acked.sender.command("!demo get web", user="UALICE")
    usage = await acked.sender.command("  ", user="UALICE")
    assert working.status == 200 and "Working on `!demo get web`" in working.text
    assert usage.status == 200 and "Usage: `/k8s <command or question>`" in usage.text
    await acked.settle(2)
    assert [r[0] for r in acked.bot.backend.runs] == ["get"]  # the empty one started nothing


async def test_other_paths_are_answered_by_the_core(acked: Acked) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{acked.base}/readyz") as answer:
        assert answer.status == 200
        assert await answer.text() == "core says ready"


async def test_what_was_acknowledged_before_stop_is_dispatched(acked: Acked) -> None:
    events = [mention("!whoami", user="UALICE", ts=f"16999935{i:02d}.000100") for i in range(10)]
    answers = await asyncio.gather(*(acked.sender.event(e) for e in events))
    assert {a.status for a in answers} == {200}
    await acked.acks.stop()
    assert acked.acks.dispatched == 10
    await acked.bot.fake.wait_for("chat.postMessage", count=10)


async def test_a_killed_ack_server_is_started_again_on_the_same_port(acked: Acked) -> None:
    first = acked.acks.pid
    assert first is not None
    os.kill(first, signal.SIGKILL)
    async with SlackSender(f"{acked.base}/slack/events") as fresh:  # no pooled connection to the dead one
        answer = await asyncio.wait_for(fresh.event(mention("!whoami", user="UALICE")), 30)
    assert answer.status == 200
    assert acked.acks.pid not in (None, first)
    await acked.settle(1)
    await acked.bot.fake.wait_for("chat.postMessage")
