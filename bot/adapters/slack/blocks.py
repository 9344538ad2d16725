"""Render the core's `Reply` as Slack Block Kit: text, fields, code, tables, buttons.

Every string that came from the core (a cluster's output, a model's words, a
person's arguments) is escaped here, so nothing the bot relays can ping
`@channel`, mention a user or fake a link; only markup this module writes
itself is live. Output too long for a message becomes an `Upload` with a short
summary inline. Nothing here calls Slack or reads state.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from bot.domain.models import Button, ButtonAction, Reply, ReplyKind
from bot.domain.render import render_table, render_text

from .escape import clip, code_block, escape_text

Block = dict[str, Any]

ACTION_IDS = {action: f"chatops_{action.value}" for action in ButtonAction}
ACTION_PATTERN = re.compile(
    rf"^chatops_({'|'.join(action.value for action in ButtonAction)})$"
)  # alert cards' too
SECTION_LIMIT = 2900  # Slack refuses section text over 3000 characters
FIELD_LIMIT = 1900  # … and fields over 2000
INLINE_OUTPUT_LIMIT = 2800  # longer code/table output goes into a file upload
PREVIEW_LINES = 15
FALLBACK_LIMIT = 300  # the notification text; the blocks carry the rest

_ICONS = {
    ReplyKind.ERROR: ":warning: ",
    ReplyKind.DENIED: ":no_entry: ",
    ReplyKind.APPROVAL: ":lock: ",
}


@dataclasses.dataclass(frozen=True)
class Upload:
    filename: str
    title: str
    content: str


@dataclasses.dataclass(frozen=True)
class Rendered:
    text: str  # escaped fallback for notifications and clients without blocks
    blocks: tuple[Block, ...]
    upload: Upload | None = None


def action_of(action_id: str) -> ButtonAction | None:
    match = ACTION_PATTERN.match(action_id)
    return ButtonAction(match.group(1)) if match else None


def _section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def _context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn}]}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, 75)}


def _button(button: Button) -> Block:
    element: Block = {
        "type": "button",
        "action_id": ACTION_IDS[button.action],
        "text": _plain(button.label),
        "value": button.approval_id,  # only the id: the executor runs what the row stores
    }
    if button.action is ButtonAction.APPROVE:
        element["style"] = "danger" if button.confirm else "primary"
    if button.confirm:
        element["confirm"] = {
            "title": _plain("Approve a destructive change?"),
            "text": {
                "type": "mrkdwn",
                "text": escape_text(
                    f"Approval {button.approval_id} is destructive. Approving runs it once, now; "
                    "clicking again will not run it twice, and it cannot be clicked back."
                ),
            },
            "confirm": _plain("Approve and run"),
            "deny": _plain("Cancel"),
            "style": "danger",
        }
    return element


def _body(reply: Reply) -> str:
    parts = []
    if reply.table is not None:
        parts.append(render_table(reply.table))
    if reply.code:
        parts.append(reply.code)
    return "\n\n".join(parts)


def render_reply(reply: Reply, *, lead: str | None = None, file_stem: str = "output") -> Rendered:
    """`lead` is adapter-made mrkdwn (already safe), shown as a context line above the reply."""
    blocks: list[Block] = []
    if lead:
        blocks.append(_context(lead))
    icon = "" if reply.kind is ReplyKind.APPROVAL and not reply.buttons else _ICONS.get(reply.kind, "")
    text = reply.text.strip() or "(no text)"
    blocks.append(_section(icon + escape_text(clip(text, SECTION_LIMIT))))
    fields = [
        {"type": "mrkdwn", "text": f"*{escape_text(f.name)}*\n{escape_text(clip(f.value, FIELD_LIMIT))}"}
        for f in reply.fields
    ]
    for start in range(0, len(fields), 10):  # Slack's limit per section
        blocks.append({"type": "section", "fields": fields[start : start + 10]})
    body = _body(reply)
    upload = None
    if body:
        if len(body) <= INLINE_OUTPUT_LIMIT:
            blocks.append(_section(code_block(body)))
        else:
            lines = body.splitlines()
            head = clip("\n".join(lines[:PREVIEW_LINES]), INLINE_OUTPUT_LIMIT)
            blocks.append(_section(code_block(head)))
            blocks.append(
                _context(
                    f"Showing {min(PREVIEW_LINES, len(lines))} of {len(lines)} lines; "
                    "the full output is in the attached file."
                )
            )
            full = render_text(reply) if any(len(f.value) > FIELD_LIMIT for f in reply.fields) else body
            upload = Upload(filename=f"{file_stem}.txt", title=clip(text.splitlines()[0], 80), content=full)
    if upload is None and any(len(f.value) > FIELD_LIMIT for f in reply.fields):
        # A field (the whole call) longer than Slack shows: the complete card goes in a file.
        upload = Upload(filename=f"{file_stem}.txt", title="Full card", content=render_text(reply))
    if len(text) > SECTION_LIMIT and upload is None:
        upload = Upload(filename=f"{file_stem}.txt", title="Full answer", content=text)
    if reply.buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"chatops_{reply.approval_id or reply.buttons[0].approval_id}",
                "elements": [_button(b) for b in reply.buttons],
            }
        )
    return Rendered(text=escape_text(clip(text, FALLBACK_LIMIT)), blocks=tuple(blocks), upload=upload)
