"""What the fake Mattermost says on the wire: ids, people, channels, and the JSON of events and errors.

Shapes follow Mattermost's REST API v4 and WebSocket events: ids are 26
lowercase letters and digits, a `posted` event carries the post as a JSON
string in `data.post` and the mentioned user ids as a JSON string in
`data.mentions`, errors are `{id, message, status_code}`.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import re
import time
from typing import Any

_COUNTER = itertools.count(1)


def mm_id(name: str) -> str:
    """A Mattermost-shaped id (26 lowercase letters and digits) that still reads as `name`."""
    clean = re.sub(r"[^a-z0-9]", "", name.lower())
    return (clean + "0" * 26)[:26]


def new_id(prefix: str = "p") -> str:
    return mm_id(f"{prefix}{next(_COUNTER):08d}x")


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclasses.dataclass(frozen=True)
class Person:
    username: str
    nickname: str = ""
    roles: str = "system_user"
    team_roles: str = "team_user"

    @property
    def id(self) -> str:
        return mm_id(self.username)

    def user(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "username": self.username,
            "nickname": self.nickname,
            "first_name": "",
            "last_name": "",
            "roles": self.roles,
            "is_bot": False,
        }


@dataclasses.dataclass(frozen=True)
class Channel:
    name: str
    type: str = "O"  # O open, P private, D direct, G group
    team_id: str = ""

    @property
    def id(self) -> str:
        return mm_id("ch" + self.name)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "display_name": self.name,
            "team_id": self.team_id,
        }


def error(status: int, error_id: str, message: str = "") -> tuple[int, dict[str, Any]]:
    return status, {"id": error_id, "message": message or error_id, "status_code": status}


def posted_event(
    post: dict[str, Any], *, channel: Channel, sender: str, mentions: list[str]
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "channel_display_name": channel.name,
        "channel_name": channel.name,
        "channel_type": channel.type,
        "post": json.dumps(post),
        "sender_name": "@" + sender,
        "set_online": True,
        "team_id": channel.team_id,
    }
    if mentions:
        data["mentions"] = json.dumps(mentions)
    return {
        "event": "posted",
        "data": data,
        "broadcast": {"omit_users": None, "user_id": "", "channel_id": channel.id, "team_id": ""},
    }


def edited_event(post: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": "post_edited",
        "data": {"post": json.dumps(post)},
        "broadcast": {"omit_users": None, "user_id": "", "channel_id": post["channel_id"], "team_id": ""},
    }


def hello(connection_id: str) -> dict[str, Any]:
    return {
        "event": "hello",
        "data": {"connection_id": connection_id, "server_version": "9.11.0.fake", "server_hostname": "fake"},
        "broadcast": {"omit_users": None, "user_id": "", "channel_id": "", "team_id": ""},
    }
