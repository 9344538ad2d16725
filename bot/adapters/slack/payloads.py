"""Slack payloads → plain values: which events to answer, where the thread is, what a click says.

Pure functions over the JSON Slack sends (Events API bodies, slash-command
forms, `block_actions` payloads). They never call Slack, never look up a
person and never decide policy; a malformed payload gives `None`, not an
exception.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from bot.domain.models import ButtonAction

from .blocks import action_of

# Subtypes that are still a person talking; edits, joins, deletions and bot posts are not.
_SPOKEN_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})
APPROVAL_ID = re.compile(r"^[a-z0-9-]{1,64}$")


@dataclasses.dataclass(frozen=True)
class SlackText:
    """An app mention or a direct message worth answering."""

    user_id: str
    team_id: str | None
    channel: str
    ts: str
    thread_ts: str | None
    text: str
    event_id: str | None
    is_direct: bool


@dataclasses.dataclass(frozen=True)
class SlashCommand:
    user_id: str
    user_name: str
    team_id: str | None
    channel: str
    command: str
    text: str
    trigger_id: str
    response_url: str | None


@dataclasses.dataclass(frozen=True)
class Click:
    action: ButtonAction
    approval_id: str
    user_id: str
    user_name: str
    team_id: str | None
    channel: str
    message_ts: str
    thread_ts: str | None  # the thread the card sits in, if any
    response_url: str | None

    @property
    def thread(self) -> str:
        """Where the conversation about this card continues: its thread, or a thread under the card."""
        return self.thread_ts or self.message_ts


def is_from_bot(event: Mapping[str, Any], *, bot_user_id: str | None) -> bool:
    return (
        bool(event.get("bot_id"))
        or event.get("subtype") == "bot_message"
        or not event.get("user")
        or (bot_user_id is not None and event.get("user") == bot_user_id)
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def to_slack_text(body: Mapping[str, Any], *, bot_user_id: str | None) -> SlackText | None:
    """An `app_mention`, or a `message` in a DM; anything else (bots, edits, channel chatter) → None."""
    event = body.get("event")
    if not isinstance(event, Mapping) or is_from_bot(event, bot_user_id=bot_user_id):
        return None
    kind = event.get("type")
    if event.get("subtype") not in _SPOKEN_SUBTYPES:
        return None
    if kind == "message":
        if event.get("channel_type") != "im":
            return None
    elif kind != "app_mention":
        return None
    user, channel, ts = _str(event.get("user")), _str(event.get("channel")), _str(event.get("ts"))
    if user is None or channel is None or ts is None:
        return None
    return SlackText(
        user_id=user,
        team_id=_str(event.get("user_team")) or _str(event.get("team")) or _str(body.get("team_id")),
        channel=channel,
        ts=ts,
        thread_ts=_str(event.get("thread_ts")),
        text=_text(event.get("text")),
        event_id=_str(body.get("event_id")),
        is_direct=kind == "message",
    )


def to_slash_command(body: Mapping[str, Any]) -> SlashCommand | None:
    user, channel, trigger = (
        _str(body.get("user_id")),
        _str(body.get("channel_id")),
        _str(body.get("trigger_id")),
    )
    if user is None or channel is None or trigger is None:
        return None
    return SlashCommand(
        user_id=user,
        user_name=_str(body.get("user_name")) or user,
        team_id=_str(body.get("team_id")),
        channel=channel,
        command=_str(body.get("command")) or "",
        text=_text(body.get("text")),
        trigger_id=trigger,
        response_url=_str(body.get("response_url")),
    )


def to_click(body: Mapping[str, Any]) -> Click | None:
    """The first of our buttons in a `block_actions` payload, with where its card lives."""
    actions = body.get("actions")
    user = body.get("user")
    if not isinstance(actions, list) or not actions or not isinstance(user, Mapping):
        return None
    first = _obj(actions[0])
    action = action_of(str(first.get("action_id", "")))
    approval_id = str(first.get("value", "")).strip().lower()
    if action is None or not APPROVAL_ID.match(approval_id):
        return None
    container, message = _obj(body.get("container")), _obj(body.get("message"))
    channel_obj, team_obj = _obj(body.get("channel")), _obj(body.get("team"))
    channel = _str(container.get("channel_id")) or _str(channel_obj.get("id"))
    message_ts = _str(container.get("message_ts")) or _str(message.get("ts"))
    user_id = _str(user.get("id"))
    if channel is None or message_ts is None or user_id is None:
        return None
    return Click(
        action=action,
        approval_id=approval_id,
        user_id=user_id,
        user_name=_str(user.get("name")) or _str(user.get("username")) or user_id,
        # The clicker's own workspace: in a shared channel it can differ from the card's.
        team_id=_str(user.get("team_id")) or _str(team_obj.get("id")),
        channel=channel,
        message_ts=message_ts,
        thread_ts=_str(message.get("thread_ts")) or _str(container.get("thread_ts")),
        response_url=_str(body.get("response_url")),
    )
