"""Render the core's `Reply` as a Mattermost post: Markdown message, button attachment, files.

The message holds the text, the fields and the output (tables and code as
fenced code blocks); everything that came from the core is escaped
(`markdown.py`), so only markup written here is live. Buttons become one
message attachment with integration actions whose context is signed
(`signing.py`). Output longer than a post shows goes into a text file with
a preview inline; chart images of `Reply.files` are uploaded as they are.
Nothing here calls Mattermost or reads state.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.domain.models import Button, ButtonAction, Reply, ReplyKind
from bot.domain.render import render_table, render_text

from .markdown import clip, code_block, escape_text
from .signing import signed_context

TEXT_LIMIT = 4000  # the answer's own words; longer goes into the file
FIELD_LIMIT = 2000
INLINE_OUTPUT_LIMIT = 8000  # a post holds 16383 characters; leave room for the rest
PREVIEW_LINES = 15
MAX_FILES = 10  # Mattermost attaches at most 10 files to a post

_ICONS = {
    ReplyKind.ERROR: ":warning: ",
    ReplyKind.DENIED: ":no_entry: ",
    ReplyKind.APPROVAL: ":lock: ",
}
_STYLES = {
    ButtonAction.APPROVE: "primary",
    ButtonAction.DENY: "default",
    ButtonAction.UNDO: "default",
    ButtonAction.INVESTIGATE: "primary",
    ButtonAction.SILENCE_1H: "default",
    ButtonAction.SILENCE_4H: "default",
    ButtonAction.SILENCE_RESOLVED: "default",
    ButtonAction.ACKNOWLEDGE: "success",
}


@dataclasses.dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes


@dataclasses.dataclass(frozen=True)
class Rendered:
    message: str
    attachments: tuple[dict[str, Any], ...] = ()
    uploads: tuple[Upload, ...] = ()

    @property
    def props(self) -> dict[str, Any]:
        return {"attachments": list(self.attachments)} if self.attachments else {}


@dataclasses.dataclass(frozen=True)
class Buttons:
    """Where clicks go and the key that signs them."""

    callback_url: str  # {public_url}/mattermost/actions
    secret: str


def _body(reply: Reply) -> str:
    parts = []
    if reply.table is not None:
        parts.append(render_table(reply.table))
    if reply.code:
        parts.append(reply.code)
    return "\n\n".join(parts)


def _field(name: str, value: str) -> str:
    shown = escape_text(clip(value, FIELD_LIMIT))
    if "\n" in value:  # a multi-line value starts on its own line, under the name
        return f"**{escape_text(name)}:**\n{shown}"
    return f"**{escape_text(name)}:** {shown}"


def _action(button: Button, buttons: Buttons) -> dict[str, Any]:
    destructive = button.action is ButtonAction.APPROVE and button.confirm
    return {
        "id": button.action.value.replace("_", ""),  # Mattermost wants ids of letters and digits
        "type": "button",
        "name": clip(button.label + (" (destructive)" if destructive else ""), 60),
        "style": "danger" if destructive else _STYLES[button.action],
        "integration": {
            "url": buttons.callback_url,
            "context": signed_context(buttons.secret, action=button.action, approval_id=button.approval_id),
        },
    }


def render_reply(
    reply: Reply, *, buttons: Buttons, lead: str | None = None, file_stem: str = "output"
) -> Rendered:
    """`lead` is adapter-made Markdown (already safe), shown as a line above the reply."""
    lines: list[str] = [f"_{lead}_"] if lead else []
    icon = "" if reply.kind is ReplyKind.APPROVAL and not reply.buttons else _ICONS.get(reply.kind, "")
    text = reply.text.strip() or "(no text)"
    lines.append(icon + escape_text(clip(text, TEXT_LIMIT)))
    lines += [_field(f.name, f.value) for f in reply.fields]
    uploads: list[Upload] = []
    body = _body(reply)
    full: str | None = None
    if body:
        if len(body) <= INLINE_OUTPUT_LIMIT:
            lines.append(code_block(body))
        else:
            body_lines = body.splitlines()
            lines.append(code_block(clip("\n".join(body_lines[:PREVIEW_LINES]), INLINE_OUTPUT_LIMIT)))
            lines.append(
                f"_Showing {min(PREVIEW_LINES, len(body_lines))} of {len(body_lines)} lines; "
                "the full output is in the attached file._"
            )
            full = body
    if len(text) > TEXT_LIMIT or any(len(f.value) > FIELD_LIMIT for f in reply.fields):
        full = render_text(reply)  # the complete answer or card, never cut
    if full is not None:
        uploads.append(Upload(f"{file_stem}.txt", full.encode()))
    uploads += [Upload(a.filename, a.content) for a in reply.files]
    attachments: tuple[dict[str, Any], ...] = ()
    if reply.buttons:
        attachments = (
            {
                "fallback": f"Approval {reply.approval_id or reply.buttons[0].approval_id}",
                "color": "#d24b4e" if any(b.confirm for b in reply.buttons) else "#f2a900",
                "actions": [_action(b, buttons) for b in reply.buttons],
            },
        )
    return Rendered("\n\n".join(lines), attachments, tuple(uploads[:MAX_FILES]))


def plain_message(reply: Reply) -> str:
    """One reply as a short escaped message (a private note, an `ephemeral_text`)."""
    icon = _ICONS.get(reply.kind, "")
    return icon + escape_text(clip(reply.text.strip() or "(no text)", TEXT_LIMIT))
