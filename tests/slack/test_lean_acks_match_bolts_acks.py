"""The ack server answers without Bolt: every kind of request Slack sends gets, byte for byte, the answer the
core's own Bolt app gives (status, Content-Type, body), and exactly the requests Bolt takes are handed over.
The core starts a handed-over request's work without Bolt too: for every kind, what the bot then says in
Slack is what it says when the same request goes through its Bolt app."""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.adapters.slack import slack_routes
from bot.domain.models import ButtonAction
from tests.fake_slack.requests import (
    SlackSender,
    click_payload,
    command_fields,
    direct_message,
    event_body,
    mention,
    sign,
)
from tests.fake_slack.server import BOT_USER, FakeSlack
from tests.slack.acked import Acked

FORM = False
JSON = True


def form(fields: dict[str, str]) -> bytes:
    return urllib.parse.urlencode(fields).encode()


def interactive(payload: dict[str, Any]) -> bytes:
    return form({"payload": json.dumps(payload)})


def click(action: str, approval_id: str = "req-1") -> bytes:
    return interactive(click_payload(action, approval_id, user="UALICE", channel="C0OPS", message_ts="1.2"))


def foreign_click() -> bytes:
    payload = click_payload("approve", "req-1", user="UALICE", channel="C0OPS", message_ts="1.2")
    payload["actions"][0]["action_id"] = "someone_elses_button"
    return interactive(payload)


def event(kind: str, **fields: Any) -> bytes:
    return event_body({"type": kind, "user": "UALICE", "channel": "C0OPS", "ts": "1.2", **fields})


def corpus() -> dict[str, tuple[bytes, bool]]:
    """Every kind of request Slack sends the bot, and those it never should: (body, is JSON); new ids each call."""
    return {
        "app_mention": (event_body(mention("!whoami", user="UALICE")), JSON),
        "direct message": (event_body(direct_message("!whoami", user="UALICE")), JSON),
        "message edited": (event("message", subtype="message_changed"), JSON),
        "the bot's own message": (event("message", bot_id="B0BOT", text="an answer"), JSON),
        "the bot's own user in a DM": (
            event("message", user=BOT_USER, channel_type="im", text="!whoami"),
            JSON,
        ),
        "an event the bot does not listen to": (event("reaction_added", reaction="eyes"), JSON),
        "an event without a type": (json.dumps({"type": "event_callback", "event": {}}).encode(), JSON),
        "url_verification": (
            json.dumps({"type": "url_verification", "challenge": "ch4ll-enge"}).encode(),
            JSON,
        ),
        "ssl_check": (form({"ssl_check": "1", "token": "unused"}), FORM),
        "slash command": (form(command_fields("!get pods -n prod", user="UALICE")), FORM),
        "slash command, blank": (form(command_fields("   ", user="UALICE")), FORM),
        "slash command, markup and length": (
            form(command_fields("<@U1> & <!channel> " + "x" * 300, user="UALICE")),
            FORM,
        ),
        "slash command, no trigger id": (
            form({k: v for k, v in command_fields("hi", user="UALICE").items() if k != "trigger_id"}),
            FORM,
        ),
        "another app's slash command": (form(command_fields("hi", user="UALICE", command="/other")), FORM),
        **{f"{action.value} click": (click(action.value), FORM) for action in ButtonAction},
        "someone else's button": (foreign_click(), FORM),
        "view_submission": (interactive({"type": "view_submission", "view": {"id": "V1"}}), FORM),
        "block_suggestion (options)": (interactive({"type": "block_suggestion", "action_id": "x"}), FORM),
        "global shortcut": (interactive({"type": "shortcut", "callback_id": "chatops_approve"}), FORM),
        "empty body": (b"", JSON),
    }


REQUESTS = corpus()

TAKEN = {
    "app_mention",
    "direct message",
    "message edited",  # Bolt's `event("message")` takes every subtype; the core's listener drops it
    "the bot's own message",
    "the bot's own user in a DM",
    "url_verification",
    "ssl_check",
    "slash command",
    "slash command, blank",
    "slash command, markup and length",
    "slash command, no trigger id",
    *(f"{action.value} click" for action in ButtonAction),
}


@pytest.fixture
async def bolt_url(acked: Acked) -> AsyncIterator[str]:
    """The core's own HTTP route: its Bolt app's answer (`to_aiohttp_response`), on a port of its own."""
    runner = web.AppRunner(slack_routes(acked.bot.adapter), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        await runner.cleanup()


async def test_every_request_gets_bolts_answer_and_only_what_bolt_takes_is_handed_over(
    acked: Acked, bolt_url: str
) -> None:
    taken: list[str] = []
    async with SlackSender(bolt_url) as bolt:
        for name, (body, is_json) in REQUESTS.items():
            lean_answer = await acked.sender.send(body, json_body=is_json)
            bolt_answer = await bolt.send(body, json_body=is_json)
            assert (name, lean_answer) == (name, bolt_answer)
            if lean_answer.status == 200:
                taken.append(name)
    assert set(taken) == TAKEN
    # Hand-overs keep their order: once a last one is dispatched, so is every one before it.
    await acked.sender.event(mention("!whoami", user="UALICE"))
    await acked.settle(len(taken) + 1)
    assert acked.acks.dispatched == len(taken) + 1


async def test_a_json_content_type_with_a_charset_is_read_as_json(acked: Acked, bolt_url: str) -> None:
    body = event_body(mention("!whoami", user="UALICE"))
    headers = {"Content-Type": "application/json; charset=utf-8"}
    async with SlackSender(bolt_url) as bolt:
        lean, core = [
            await sender.send(body, json_body=True, headers={**headers, **sign(body)})
            for sender in (acked.sender, bolt)
        ]
    assert lean == core and lean.status == 200
    await acked.settle(1)


async def test_a_signed_body_that_is_no_payload_is_refused_and_not_handed_over(acked: Acked) -> None:
    broken = await acked.sender.send(b'{"type": "event_callback", "event": ', json_body=True)
    assert broken.status == 400
    await acked.sender.event(mention("!whoami", user="UALICE"))
    await acked.settle(1)
    assert acked.acks.dispatched == 1


def said(fake: FakeSlack, since: int) -> list[tuple[str, str | None, str | None]]:
    """What the bot said in Slack since call `since`: (method, channel, text), ids and times left out."""
    return [
        (c.method, c.args.get("channel"), c.args.get("text"))
        for c in fake.calls[since:]
        if c.method.startswith("chat.")
    ]


async def test_a_handed_over_request_starts_the_work_bolts_listener_starts(
    acked: Acked, bolt_url: str, fake_slack: FakeSlack
) -> None:
    dispatched = 0
    spoken = set()
    async with SlackSender(bolt_url) as bolt:
        for name in REQUESTS:
            body, is_json = corpus()[name]  # new event and trigger ids: the router claims each once
            since = len(fake_slack.calls)
            await bolt.send(body, json_body=is_json)
            await acked.bot.settle()
            through_bolt = said(fake_slack, since)

            body, is_json = corpus()[name]
            since = len(fake_slack.calls)
            answer = await acked.sender.send(body, json_body=is_json)
            dispatched += answer.status == 200
            await acked.settle(dispatched)
            handed_over = said(fake_slack, since)

            assert (name, handed_over) == (name, through_bolt)
            if handed_over:
                spoken.add(name)
    # Not vacuous: the bot answered the mention, the DM, the command and every button.
    assert {"app_mention", "direct message", "slash command"} | {
        f"{action.value} click" for action in ButtonAction
    } <= spoken
    assert "the bot's own user in a DM" not in spoken and "message edited" not in spoken
