"""`Reply` → what a Discord message is made of: content, embeds, buttons, an attachment.

Approval cards become one embed (fields, the preview as a code block) with
persistent buttons; other replies are plain content with tables and code in
code blocks. Output too long for one message goes into a text attachment
with a short summary in the message. Text from a cluster or a model is only
ever placed inside code blocks (never rendered as links or mentions), and
every send carries `AllowedMentions.none()` besides. Nothing here sends.
"""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import discord

from bot.domain.models import Attachment, Reply, ReplyKind
from bot.domain.render import render_table, render_text

from .buttons import card_view

MAX_CONTENT = 2000
MAX_DESCRIPTION = 3800
MAX_FIELD = 1024
MAX_TITLE = 256
MAX_SUMMARY = 600
ATTACHMENT_NAME = "output.txt"
NO_MENTIONS = discord.AllowedMentions.none()

COLOURS = {
    ReplyKind.INFO: discord.Colour.blurple(),
    ReplyKind.RESULT: discord.Colour.green(),
    ReplyKind.APPROVAL: discord.Colour.orange(),
    ReplyKind.ERROR: discord.Colour.red(),
    ReplyKind.DENIED: discord.Colour.dark_red(),
}


def is_card(reply: Reply) -> bool:
    return reply.kind is ReplyKind.APPROVAL and reply.approval_id is not None


def code_block(text: str, *, limit: int) -> str:
    """A fenced block that nothing inside can close early; cut to `limit` characters."""
    body = text.replace("```", "`\u200b`\u200b`")
    room = limit - 8
    if len(body) > room:
        body = body[: room - 1] + "…"
    return f"```\n{body}\n```"


def cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One Discord message to send or edit. `attachment` bytes make a fresh `discord.File` per send."""

    content: str
    embeds: tuple[discord.Embed, ...] = ()
    view: discord.ui.View | None = None
    attachment: bytes | None = None
    files: tuple[Attachment, ...] = ()

    def _files(self) -> list[discord.File]:
        files = [discord.File(io.BytesIO(f.content), filename=f.filename) for f in self.files]
        if self.attachment is not None:
            files.insert(0, discord.File(io.BytesIO(self.attachment), filename=ATTACHMENT_NAME))
        return files

    def send_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "content": self.content or None,
            "embeds": list(self.embeds),
            "allowed_mentions": NO_MENTIONS,
        }
        if self.view is not None:
            kwargs["view"] = self.view
        if self.attachment is not None or self.files:
            kwargs["files"] = self._files()
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """For an edit in place: buttons are replaced (removed when the card has none any more)."""
        kwargs: dict[str, Any] = {
            "content": self.content or None,
            "embeds": list(self.embeds),
            "allowed_mentions": NO_MENTIONS,
            "view": self.view,
        }
        if self.attachment is not None or self.files:
            kwargs["attachments"] = self._files()
        return kwargs


def to_outgoing(reply: Reply) -> Outgoing:
    if is_card(reply):
        return _card(reply)
    view = card_view(reply.buttons) if reply.buttons else None
    parts = [reply.text]
    parts += [f"**{field.name}:** {field.value}" for field in reply.fields]
    if reply.table is not None:
        parts.append(code_block(render_table(reply.table), limit=1_000_000))
    if reply.code:
        parts.append(code_block(reply.code, limit=1_000_000))
    content = "\n".join(p for p in parts if p)
    images = _image_embeds(reply.files)
    if len(content) <= MAX_CONTENT:
        return Outgoing(content=content, view=view, embeds=images, files=reply.files)
    full = render_text(reply)
    head = reply.text.strip() or "Output"
    summary = f"{cut(head, MAX_SUMMARY)}\nThe full output ({len(full.splitlines())} lines) is attached."
    return Outgoing(content=summary, view=view, attachment=full.encode(), embeds=images, files=reply.files)


def _image_embeds(files: tuple[Attachment, ...]) -> tuple[discord.Embed, ...]:
    """An embed per image, showing the attachment inline (`attachment://name`)."""
    return tuple(
        discord.Embed(title=cut(f.title or f.filename, MAX_TITLE)).set_image(url=f"attachment://{f.filename}")
        for f in files
        if f.mime.startswith("image/")
    )


def _card(reply: Reply) -> Outgoing:
    lines = reply.text.splitlines() or [""]
    embed = discord.Embed(
        title=cut(lines[0], MAX_TITLE),
        description=_card_description(lines[1:], reply.code),
        colour=COLOURS[reply.kind] if reply.buttons else discord.Colour.light_grey(),
    )
    for field in reply.fields[:24]:
        value = field.value or "-"
        if field.name == "Result":
            value = code_block(value, limit=MAX_FIELD)
        embed.add_field(
            name=cut(field.name, MAX_TITLE), value=cut(value, MAX_FIELD), inline=field.name != "Result"
        )
    view = card_view(reply.buttons) if reply.buttons else None
    if _card_is_cut(reply):  # never cut silently: the whole card, preview and every field, as a file
        full = render_text(reply)
        note = f"The full preview ({len(full.splitlines())} lines) is attached."
        return Outgoing(content=note, embeds=(embed,), view=view, attachment=full.encode())
    return Outgoing(content="", embeds=(embed,), view=view)


def _card_is_cut(reply: Reply) -> bool:
    rest = "\n".join(reply.text.splitlines()[1:]).strip()
    room = max(MAX_DESCRIPTION - len(rest) - 20, 200) - 8
    preview_cut = bool(reply.code) and len(str(reply.code).replace("```", "`\u200b`\u200b`")) > room
    return preview_cut or any(len(f.value) > MAX_FIELD - 8 for f in reply.fields)


def _card_description(rest: list[str], preview: str | None) -> str | None:
    text = "\n".join(rest).strip()
    if preview:
        room = MAX_DESCRIPTION - len(text) - 20
        text = (text + "\n" if text else "") + "**Preview**\n" + code_block(preview, limit=max(room, 200))
    return text or None
