"""Reading what the bot sent to the fake Mattermost: posts, cards, buttons."""

from __future__ import annotations

import re
from typing import Any

from tests.fake_mattermost.server import FakeMattermost


def actions(post: dict[str, Any]) -> list[dict[str, Any]]:
    return [a for att in post.get("props", {}).get("attachments", []) for a in att.get("actions", [])]


def cards(fake: FakeMattermost) -> list[dict[str, Any]]:
    """The bot's posts that are approval cards (they carry buttons), oldest first."""
    return [p for p in fake.bot_posts() if actions(p)]


def approval_id_of(card: dict[str, Any]) -> str:
    return str(actions(card)[0]["integration"]["context"]["approval_id"])


def answers_to(fake: FakeMattermost, root_id: str) -> list[dict[str, Any]]:
    return [p for p in fake.bot_posts() if p["root_id"] == root_id]


def shown(message: str) -> str:
    """A message as a person reads it: Markdown escapes and zero-width spaces gone."""
    return re.sub(r"\\(.)", r"\1", message).replace("\u200b", "")
