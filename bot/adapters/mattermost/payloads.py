"""Mattermost payloads → plain values: which posts to answer, what a slash command or a click says.

Pure functions over what Mattermost sends: WebSocket `posted` events (whose
`data.post` is a JSON string), slash-command forms and integration-action
JSON. A post is worth answering when a person (not this bot, not another
bot, not a system message) wrote it in a direct message or mentioned the
bot. They never call Mattermost, never look anyone up, never decide
policy; a malformed payload gives `None`, not an exception.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from typing import Any

MATTERMOST_ID = re.compile(r"^[a-z0-9]{26}$")
MAX_TEXT = 16_383


@dataclasses.dataclass(frozen=True)
class PostedMessage:
    """A post in a DM, or one that mentions the bot."""

    post_id: str
    user_id: str
    channel_id: str
    root_id: str | None
    message: str
    is_direct: bool
    team_id: str | None
    sender_name: str | None


@dataclasses.dataclass(frozen=True)
class SlashCommand:
    user_id: str
    user_name: str
    channel_id: str
    channel_name: str
    team_id: str | None
    command: str
    text: str
    trigger_id: str
    response_url: str | None


@dataclasses.dataclass(frozen=True)
class Click:
    user_id: str
    user_name: str | None
    channel_id: str
    post_id: str
    team_id: str | None
    context: Any  # checked by signing.verify_context


def _id(value: Any) -> str | None:
    return value if isinstance(value, str) and MATTERMOST_ID.match(value) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _json(value: Any) -> Any:
    """Mattermost nests JSON documents as strings inside event data."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _mentions(data: Mapping[str, Any]) -> tuple[str, ...]:
    raw = _json(data.get("mentions"))
    return tuple(m for m in raw if isinstance(m, str)) if isinstance(raw, list) else ()


def names_bot(message: str, username: str | None) -> bool:
    return (
        bool(username)
        and re.search(rf"(?<![\w.@-])@{re.escape(username or '')}(?![\w-])", message, re.I) is not None
    )


def to_posted(
    event: Mapping[str, Any], *, bot_user_id: str | None, bot_username: str | None
) -> PostedMessage | None:
    """A `posted` event worth answering; anything else (own posts, bots, system posts, chatter) → None."""
    if event.get("event") != "posted" or bot_user_id is None:
        return None
    data = event.get("data")
    if not isinstance(data, Mapping):
        return None
    post = _json(data.get("post"))
    if not isinstance(post, Mapping):
        return None
    raw_props = post.get("props")
    props: Mapping[str, Any] = raw_props if isinstance(raw_props, Mapping) else {}
    user_id, post_id, channel_id = _id(post.get("user_id")), _id(post.get("id")), _id(post.get("channel_id"))
    if user_id is None or post_id is None or channel_id is None or user_id == bot_user_id:
        return None
    if (
        post.get("type")
        or props.get("from_bot") in ("true", True)
        or props.get("from_webhook") in ("true", True)
    ):
        return None  # system messages (joins, header changes), other bots and webhooks
    message = post.get("message")
    if not isinstance(message, str) or not message.strip() or len(message) > MAX_TEXT:
        return None
    is_direct = data.get("channel_type") == "D"
    if not is_direct and bot_user_id not in _mentions(data) and not names_bot(message, bot_username):
        return None
    return PostedMessage(
        post_id=post_id,
        user_id=user_id,
        channel_id=channel_id,
        root_id=_id(post.get("root_id")),
        message=message,
        is_direct=is_direct,
        team_id=_id(data.get("team_id")),
        sender_name=(_str(data.get("sender_name")) or "").lstrip("@") or None,  # "@alice" → "alice"
    )


def to_slash_command(form: Mapping[str, str]) -> SlashCommand | None:
    user, channel, trigger = (
        _id(form.get("user_id")),
        _id(form.get("channel_id")),
        _str(form.get("trigger_id")),
    )
    if user is None or channel is None or trigger is None:
        return None
    return SlashCommand(
        user_id=user,
        user_name=_str(form.get("user_name")) or user,
        channel_id=channel,
        channel_name=_str(form.get("channel_name")) or "",
        team_id=_id(form.get("team_id")),
        command=_str(form.get("command")) or "",
        text=(form.get("text") or "")[:MAX_TEXT],
        trigger_id=trigger[:200],
        response_url=_str(form.get("response_url")),
    )


def to_click(body: Any) -> Click | None:
    if not isinstance(body, Mapping):
        return None
    user, channel, post = _id(body.get("user_id")), _id(body.get("channel_id")), _id(body.get("post_id"))
    if user is None or channel is None or post is None:
        return None
    return Click(
        user_id=user,
        user_name=_str(body.get("user_name")),
        channel_id=channel,
        post_id=post,
        team_id=_id(body.get("team_id")),
        context=body.get("context"),
    )
