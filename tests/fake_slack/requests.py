"""What Slack sends to the bot: Events API bodies, slash-command forms, button payloads, signed.

`SlackSender` posts them over real HTTP to the bot's `/slack/events`, signed
with the signing secret the way Slack signs (`v0=` HMAC-SHA256 of
`v0:{timestamp}:{body}`), and can spoil the signature, the timestamp or the
body for the refusal tests.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any

import aiohttp

from tests.fake_slack.server import TEAM

SIGNING_SECRET = "fake-signing-secret-8f2c"
_ids = itertools.count(1)


def sign(body: bytes, *, secret: str = SIGNING_SECRET, timestamp: int | str | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def event_body(event: Mapping[str, Any], *, event_id: str | None = None, team: str = TEAM) -> bytes:
    return json.dumps(
        {
            "token": "unused",
            "team_id": team,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "event": dict(event),
        }
    ).encode()


def mention(
    text: str, *, user: str, channel: str = "C0OPS", ts: str | None = None, thread_ts: str | None = None
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT> {text}",
        "channel": channel,
        "ts": ts or f"1699999{next(_ids):03d}.000200",
        "team": TEAM,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def direct_message(text: str, *, user: str, channel: str = "D0DM", ts: str | None = None) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "channel": channel,
        "ts": ts or f"1699998{next(_ids):03d}.000300",
        "team": TEAM,
    }


def command_body(text: str, **kw: Any) -> bytes:
    return urllib.parse.urlencode(command_fields(text, **kw)).encode()


def command_fields(
    text: str,
    *,
    user: str,
    channel: str = "C0OPS",
    response_url: str = "",
    command: str = "/k8s",
    team: str = TEAM,
) -> dict[str, str]:
    return {
        "token": "unused",
        "team_id": team,
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": "ops",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0APP",
        "response_url": response_url,
        "trigger_id": f"trig.{next(_ids)}",
    }


def click_body(action: str, approval_id: str, **kw: Any) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(click_payload(action, approval_id, **kw))}).encode()


def click_payload(
    action: str,
    approval_id: str,
    *,
    user: str,
    channel: str,
    message_ts: str,
    thread_ts: str | None = None,
    team: str = TEAM,
    response_url: str = "",
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": "A0APP",
        "team": {"id": team, "domain": "fake"},
        "container": {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "channel": {"id": channel, "name": "ops"},
        "trigger_id": f"trig.{next(_ids)}",
        "message": {
            "ts": message_ts,
            "type": "message",
            "user": "UBOT",
            **({"thread_ts": thread_ts} if thread_ts else {}),
        },
        "response_url": response_url,
        "actions": [
            {
                "action_id": f"chatops_{action}",
                "block_id": f"chatops_{approval_id}",
                "value": approval_id,
                "type": "button",
                "action_ts": str(time.time()),
            }
        ],
    }


@dataclasses.dataclass(frozen=True)
class Answer:
    status: int
    text: str
    content_type: str = ""  # the whole header, as sent


class SlackSender:
    def __init__(self, url: str, *, secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.secret = secret
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> SlackSender:
        self._session = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._session is not None
        await self._session.close()

    async def send(
        self,
        body: bytes,
        *,
        json_body: bool,
        headers: Mapping[str, str] | None = None,
        retry_num: int | None = None,
    ) -> Answer:
        assert self._session is not None
        sent = dict(headers if headers is not None else sign(body, secret=self.secret))
        sent.setdefault(
            "Content-Type", "application/json" if json_body else "application/x-www-form-urlencoded"
        )
        if retry_num is not None:
            sent["X-Slack-Retry-Num"] = str(retry_num)
            sent["X-Slack-Retry-Reason"] = "http_timeout"
        async with self._session.post(self.url, data=body, headers=sent) as response:
            text = await response.text()
        return Answer(response.status, text, response.headers.get("Content-Type", ""))

    async def event(self, event: Mapping[str, Any], *, event_id: str | None = None, **kw: Any) -> Answer:
        return await self.send(event_body(event, event_id=event_id), json_body=True, **kw)

    async def command(self, text: str, *, user: str, **kw: Any) -> Answer:
        return await self.send(command_body(text, user=user, **kw), json_body=False)

    async def click(self, action: str, approval_id: str, **kw: Any) -> Answer:
        return await self.send(click_body(action, approval_id, **kw), json_body=False)
