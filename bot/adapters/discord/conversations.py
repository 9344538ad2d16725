"""Mentions, direct messages and slash commands → the router → replies in the same conversation.

A message that mentions the bot, or any direct message, goes to the router
as plain text (a `!` command or a question for the agent); the replies are
posted in the same channel or thread. A slash command is deferred at once
(Discord allows 3 seconds), handled by the router, and completed with
follow-ups: the first replaces the "thinking…" message. Nothing here decides
what runs; the router and the executor do.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.conversation.router import Router
from bot.domain.models import Reply, ReplyKind

from .convert import is_for_bot, to_message, to_slash_message
from .poster import Poster

log = logging.getLogger(__name__)

FAILED = "Something went wrong on my side (see the bot's logs); nothing more was done. Try again in a minute."
NOTHING = "Nothing to add (this request was already handled)."


class Conversations:
    def __init__(self, *, router: Router, poster: Poster) -> None:
        self._router = router
        self._poster = poster

    async def on_message(self, message: discord.Message, *, bot_id: int) -> None:
        if not is_for_bot(message, bot_id=bot_id):
            return
        incoming = to_message(message, bot_id=bot_id)
        destination = message.channel.id
        try:
            await message.channel.typing()  # one "is typing…"; an answer usually follows within seconds
        except discord.HTTPException as e:
            log.info("typing indicator failed in %s: HTTP %s", destination, e.status)
        try:
            replies = await self._router.handle(incoming)
        except Exception:  # the boundary: report, keep serving
            log.exception("message %s failed", message.id)
            replies = [Reply(FAILED, kind=ReplyKind.ERROR)]
        for reply in replies:
            await self._poster.post(reply, channel_id=destination)

    async def on_slash(self, interaction: discord.Interaction[Any], *, text: str, as_command: bool) -> None:
        """`/k8s`, `/ask`, `/approvals`, the shortcuts: defer, ask the router, follow up."""
        await interaction.response.defer(thinking=True)
        try:
            incoming = to_slash_message(interaction, text=text, as_command=as_command)
            replies = await self._router.handle(incoming)
        except Exception:  # the boundary: report, keep serving
            log.exception("slash command %s failed", interaction.id)
            replies = [Reply(FAILED, kind=ReplyKind.ERROR)]
        if not replies:
            replies = [Reply(NOTHING)]
        for reply in replies:
            await self._poster.follow_up(interaction, reply, ephemeral=reply.ephemeral)
