"""Requests with a bad signature, a stale or non-numeric timestamp, or a body changed after signing,
get 401 and never reach a listener: nothing is recorded, nothing is called, nothing runs."""

from __future__ import annotations

import time

import pytest

from storage.records import AuditFilter
from tests.fake_slack.requests import command_body, event_body, mention, sign
from tests.slack.harness import SlackBot


def spoiled(kind: str) -> tuple[bytes, dict[str, str]]:
    body = event_body(mention("!demo get", user="UALICE"))
    if kind == "bad_signature":
        return body, sign(body, secret="not-the-secret")
    if kind == "stale_330_s":
        return body, sign(body, timestamp=int(time.time()) - 330)
    if kind == "future_330_s":
        return body, sign(body, timestamp=int(time.time()) + 330)
    if kind == "mutated_body":
        return body.replace(b"!demo get", b"!demo del"), sign(body)
    if kind == "non_numeric_timestamp":
        headers = sign(body)
        return body, {**headers, "X-Slack-Request-Timestamp": "12ab"}
    if kind == "no_headers":
        return body, {}
    raise AssertionError(kind)


@pytest.mark.parametrize(
    "kind",
    ["bad_signature", "stale_330_s", "future_330_s", "mutated_body", "non_numeric_timestamp", "no_headers"],
)
async def test_a_spoiled_request_gets_401_and_reaches_no_handler(bot: SlackBot, kind: str) -> None:
    calls_before = len(bot.fake.calls)
    body, headers = spoiled(kind)
    answer = await bot.sender.send(body, json_body=True, headers=headers)
    await bot.settle()
    assert answer.status == 401
    assert len(bot.fake.calls) == calls_before
    assert await bot.app.store.list_audit(AuditFilter()) == []
    assert bot.backend.runs == []


async def test_a_spoiled_slash_command_is_refused_too(bot: SlackBot) -> None:
    body = command_body("demo get", user="UALICE")
    answer = await bot.sender.send(body, json_body=False, headers=sign(body, secret="wrong"))
    await bot.settle()
    assert answer.status == 401
    assert bot.backend.runs == []


async def test_a_request_signed_270_s_ago_is_still_accepted(bot: SlackBot) -> None:
    body = event_body(mention("!demo get", user="UALICE"))
    answer = await bot.sender.send(body, json_body=True, headers=sign(body, timestamp=int(time.time()) - 270))
    await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    assert answer.status == 200
    assert [r[0] for r in bot.backend.runs] == ["get"]
