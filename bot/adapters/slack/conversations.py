"""Mentions, direct messages and `/k8s`: Slack text in, the router's replies out, in the right place.

A mention is answered in its thread (the thread's ts, or the message's own ts
when it starts one), so a thread is one conversation. A direct message at the
top of the DM is answered at the top (the DM itself is the conversation); one
inside a DM thread is answered in that thread. `/k8s` answers go into the
channel, or privately when `slack.reply` is `ephemeral` (approval cards are
always public: someone else has to click them). When the router takes longer
than `progress_after_s`, an hourglass reaction shows the request is being
worked on. Each Slack `event_id` (or slash-command `trigger_id`) is passed to
the router, which processes it once however often Slack retries.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from bot.conversation.router import Router
from bot.domain.models import IncomingMessage, Reply, ReplyKind

from .directory import Directory
from .escape import clip, escape_text, to_plain_text
from .payloads import SlackText, SlashCommand
from .poster import Poster

log = logging.getLogger(__name__)

WORKING_REACTION = "hourglass_flowing_sand"
FAILED = (
    "Something went wrong on my side while answering this; it is in the bot's logs. "
    "Check with !approvals or !audit before asking again."
)


class Conversations:
    def __init__(
        self,
        *,
        router: Router,
        directory: Directory,
        poster: Poster,
        bot_user_id: Callable[[], Awaitable[str | None]],
        reply_mode: str,
        progress_after_s: float,
    ) -> None:
        self._router = router
        self._directory = directory
        self._poster = poster
        self._bot_user_id = bot_user_id
        self._ephemeral = reply_mode == "ephemeral"
        self._progress_after_s = progress_after_s

    async def _answer(self, message: IncomingMessage, *, react_to: tuple[str, str] | None) -> list[Reply]:
        task = asyncio.ensure_future(self._router.handle(message))
        done, _ = await asyncio.wait({task}, timeout=self._progress_after_s)
        if task in done or react_to is None:
            return await task
        channel, ts = react_to
        await self._poster.react(channel=channel, ts=ts, name=WORKING_REACTION)
        try:
            return await task
        finally:
            await self._poster.react(channel=channel, ts=ts, name=WORKING_REACTION, remove=True)

    async def on_text(self, said: SlackText) -> None:
        bot_user_id = await self._bot_user_id()
        principal = await self._directory.principal(user_id=said.user_id, team_id=said.team_id)
        # At the top of a DM the DM itself is the conversation; a mention starts (or continues) a thread.
        thread = said.thread_ts if said.is_direct else (said.thread_ts or said.ts)
        message = IncomingMessage(
            principal=principal,
            channel=said.channel,
            text=to_plain_text(said.text, bot_user_id=bot_user_id),
            thread=thread,
            event_id=said.event_id,
            is_direct=said.is_direct,
        )
        try:
            replies = await self._answer(message, react_to=(said.channel, said.ts))
        except Exception:  # the boundary: one broken request must not take the adapter down
            log.exception("answering Slack event %s failed", said.event_id)
            replies = [Reply(FAILED, kind=ReplyKind.ERROR)]
        await self._poster.post_replies(replies, channel=said.channel, thread=thread)

    async def on_command(self, command: SlashCommand) -> None:
        bot_user_id = await self._bot_user_id()
        principal = await self._directory.principal(
            user_id=command.user_id, team_id=command.team_id, fallback_name=command.user_name
        )
        text = to_plain_text(command.text, bot_user_id=bot_user_id)
        message = IncomingMessage(
            principal=principal,
            channel=command.channel,
            text=text,
            thread=None,
            event_id=f"command:{command.trigger_id}",
            is_direct=command.channel.startswith("D"),
            via_slash_command=True,
        )
        try:
            replies = await self._answer(message, react_to=None)
        except Exception:
            log.exception("answering %s failed", command.command)
            replies = [Reply(FAILED, kind=ReplyKind.ERROR)]
        lead = None
        if not self._ephemeral:  # others in the channel see the answer, so show them the question
            lead = f"<@{command.user_id}> asked `{escape_text(clip(f'{command.command} {text}', 200))}`"
        await self._poster.post_replies(
            replies,
            channel=command.channel,
            thread=None,
            ephemeral_to=command.user_id if self._ephemeral else None,
            response_url=command.response_url,
            lead=lead,
        )
