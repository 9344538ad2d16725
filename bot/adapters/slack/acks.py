"""Slack's acknowledgement without Bolt: which requests the bot takes, and the exact answer Bolt gives.

The ack server answers every signed `POST /slack/events` with what the core's
Bolt app (`listeners.build_bolt`) would answer, at a fraction of Bolt's cost
(no request object, no middleware chain, no listener runner): the body is
parsed the way Bolt parses it, `ssl_check` and `url_verification` are answered
as Bolt's middleware answers them, and the bot's listeners are matched in
Bolt's order (the `app_mention` and `message` events, the slash command, the
bot's buttons). A request one of them takes is `taken`: the ack server hands
it to the core, which starts the work that Bolt's listener would start
(`route_of` is shared with it). Everything else gets Bolt's 404 and
is handed over to nobody. `tests/slack/test_lean_acks_match_bolts_acks.py`
sends every kind of request to both and compares the answers byte for byte,
so the two never drift. One difference is left on purpose: knowing its own
identity, the core's Bolt also acknowledges the bot's own events of types it
does not listen to, which Slack never sends (the app subscribes to
`app_mention` and `message.im` only); this module, knowing no identity,
answers those 404.

The signature is checked before this is called (`signing.py`); this module
decides nothing about the work and calls nothing.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from .blocks import ACTION_PATTERN
from .escape import clip, escape_text
from .payloads import SlashCommand, to_slash_command

USAGE = "Usage: `{command} <command or question>`, for example `{command} help`."
UNREADABLE = "Slack sent me a request I could not read; try again."
TEXT = "text/plain"
JSON = "application/json"
LISTENED_EVENTS = frozenset({"app_mention", "message"})
# Bolt's `action(pattern)` matcher also takes these payload types by their callback id.
_CALLBACK_TYPES = frozenset(
    {"interactive_message", "dialog_submission", "dialog_cancellation", "workflow_step_edit"}
)


@dataclasses.dataclass(frozen=True)
class Ack:
    status: int
    body: bytes
    content_type: str
    taken: bool  # a listener or Bolt's own middleware acknowledged it: the core must be given it


_EMPTY = Ack(status=200, body=b"", content_type=TEXT, taken=True)
UNHANDLED = Ack(status=404, body=b'{"error": "unhandled request"}', content_type=JSON, taken=False)
UNPARSABLE = Ack(
    status=400, body=b'{"error": "the body is not a Slack payload"}', content_type=JSON, taken=False
)


def command_ack_text(command: SlashCommand | None, *, slash_command: str) -> str:
    """What a slash command is acknowledged with: the usage, a refusal, or what is being worked on."""
    if command is None:
        return UNREADABLE
    if not command.text.strip():
        return USAGE.format(command=command.command or slash_command)
    return f"Working on `{escape_text(clip(command.text, 200))}`…"


def media_type(content_type: str | None) -> str | None:
    """A Content-Type header without its parameters, as Bolt reads it."""
    return content_type.split(";")[0] if content_type else None


def parse_body(body: str, content_type: str | None) -> dict[str, Any] | None:
    """The payload as Bolt reads it (`slack_bolt.request.internals.parse_body`); `None` if unreadable."""
    if not body:
        return {}
    try:
        if content_type == JSON or body.startswith("{"):
            parsed = json.loads(body)
        elif "payload" in body:
            payload = dict(parse_qsl(body, keep_blank_values=True)).get("payload")
            parsed = {} if payload is None else json.loads(payload)
        else:
            parsed = dict(parse_qsl(body, keep_blank_values=True))
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


class Route(enum.Enum):
    """Which of Bolt's middleware or of the bot's listeners takes a payload (Bolt's order)."""

    SSL_CHECK = "ssl_check"
    URL_VERIFICATION = "url_verification"
    EVENT = "event"  # the `app_mention` and `message` listeners
    COMMAND = "command"  # the slash command's listener
    ACTION = "action"  # the bot's buttons


def route_of(payload: Mapping[str, Any], *, slash_command: str) -> Route | None:
    """Who takes a parsed payload; `None`: nobody (Bolt answers 404)."""
    if payload.get("ssl_check") == "1":
        return Route.SSL_CHECK
    if payload.get("type") == "url_verification":
        return Route.URL_VERIFICATION
    if _is_listened_event(payload):
        return Route.EVENT
    if "command" in payload and payload["command"] == slash_command:
        return Route.COMMAND
    if _is_our_action(payload):
        return Route.ACTION
    return None


def ack_for(*, body: str, content_type: str | None, slash_command: str) -> Ack:
    """Bolt's answer to a signed request; `content_type` is the header without its parameters."""
    payload = parse_body(body, content_type)
    if payload is None:
        return UNPARSABLE
    route = route_of(payload, slash_command=slash_command)
    if route is Route.URL_VERIFICATION:
        challenge = json.dumps({"challenge": payload.get("challenge")})
        return Ack(status=200, body=challenge.encode(), content_type=JSON, taken=True)
    if route is Route.COMMAND:
        text = command_ack_text(to_slash_command(payload), slash_command=slash_command)
        return Ack(status=200, body=text.encode(), content_type=TEXT, taken=True)
    return UNHANDLED if route is None else _EMPTY


def _is_listened_event(payload: Mapping[str, Any]) -> bool:
    event = payload.get("event")
    return (
        payload.get("type") == "event_callback"
        and isinstance(event, Mapping)
        and isinstance(event.get("type"), str)
        and event["type"] in LISTENED_EVENTS
    )


def _is_our_action(payload: Mapping[str, Any]) -> bool:
    kind = payload.get("type")
    if kind == "block_actions":
        actions = payload.get("actions")
        first = actions[0] if isinstance(actions, list) and actions else None
        return isinstance(first, Mapping) and _matches(first.get("action_id"))
    return kind in _CALLBACK_TYPES and _matches(payload.get("callback_id"))


def _matches(value: object) -> bool:
    return isinstance(value, str) and ACTION_PATTERN.search(value) is not None
