"""Reading what the bot sent to the fake Slack: the visible text of blocks, buttons, cards."""

from __future__ import annotations

from typing import Any

from tests.fake_slack.server import Call


def shown(blocks: list[dict[str, Any]] | None) -> str:
    """All text a person would see in these blocks, joined by newlines."""
    parts: list[str] = []
    for block in blocks or []:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [f["text"] for f in block.get("fields", [])]
        parts += [e["text"] for e in block.get("elements", []) if e.get("type") == "mrkdwn"]
    return "\n".join(parts)


def buttons(blocks: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [e for b in blocks or [] if b["type"] == "actions" for e in b["elements"]]


def card_calls(calls: list[Call]) -> list[Call]:
    """The posted messages that are approval cards (they carry buttons)."""
    return [c for c in calls if buttons(c.json_arg("blocks"))]


def approval_id_of(call: Call) -> str:
    (first, *_) = buttons(call.json_arg("blocks"))
    return str(first["value"])
