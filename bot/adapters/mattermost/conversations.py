"""Mentions, direct messages and the slash command: Mattermost text in, the router's replies out.

A mention in a channel is answered in its thread (the post's `root_id`, or
the post itself when it starts one), so a thread is one conversation. A
direct message at the top of the DM is answered at the top; one inside a
DM thread in that thread. Each post id is passed to the router as the
event id, which processes it once however often the WebSocket delivers it.
The slash command is answered in its channel, below a line naming who
asked; where the bot may not post there, through the command's
`response_url`. Approval cards are posted through the card index so they
can be updated in place later. Nothing here decides what runs.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.conversation.router import Router
from bot.domain.models import IncomingMessage, Reply, ReplyKind
from bot.domain.ports import Place

from .api import MattermostApi, MattermostError
from .cards import CardIndex, show_card
from .directory import Directory
from .markdown import clip, escape_text, inline_code, to_plain_text
from .payloads import PostedMessage, SlashCommand
from .surface import PLATFORM, MattermostSurface

log = logging.getLogger(__name__)

FAILED = (
    "Something went wrong on my side while answering this; it is in the bot's logs. "
    "Check with !approvals or !audit before asking again."
)


def is_card(reply: Reply) -> bool:
    return reply.kind is ReplyKind.APPROVAL and reply.approval_id is not None


class Conversations:
    def __init__(
        self,
        *,
        router: Router,
        api: MattermostApi,
        directory: Directory,
        surface: MattermostSurface,
        cards: CardIndex,
        bot_username: Callable[[], Awaitable[str | None]],
    ) -> None:
        self._router = router
        self._api = api
        self._directory = directory
        self._surface = surface
        self._cards = cards
        self._bot_username = bot_username
        self._direct: dict[str, bool] = {}

    async def on_posted(self, said: PostedMessage) -> None:
        principal = await self._directory.principal(said.user_id, fallback_name=said.sender_name)
        thread = said.root_id if said.is_direct else (said.root_id or said.post_id)
        message = IncomingMessage(
            principal=principal,
            channel=said.channel_id,
            text=to_plain_text(said.message, bot_username=await self._bot_username()),
            thread=thread,
            event_id=f"post:{said.post_id}",
            is_direct=said.is_direct,
        )
        replies = await self._answer(message)
        await self.send(replies, place=Place(PLATFORM, said.channel_id, thread))

    async def on_command(self, command: SlashCommand) -> None:
        principal = await self._directory.principal(command.user_id, fallback_name=command.user_name)
        text = to_plain_text(command.text, bot_username=await self._bot_username())
        message = IncomingMessage(
            principal=principal,
            channel=command.channel_id,
            text=text,
            thread=None,
            event_id=f"command:{command.trigger_id}",
            is_direct=await self._is_direct(command.channel_id),
            via_slash_command=True,
        )
        replies = await self._answer(message)
        # Others in the channel see the answers, so show them the question (by name: no ping).
        lead = f"{escape_text(principal.display_name)} asked {inline_code(clip(f'{command.command} {text}', 200))}"
        await self.send(
            replies, place=Place(PLATFORM, command.channel_id), lead=lead, response_url=command.response_url
        )

    async def _answer(self, message: IncomingMessage) -> list[Reply]:
        try:
            return await self._router.handle(message)
        except Exception:  # the boundary: one broken request must not take the adapter down
            log.exception("answering Mattermost %s failed", message.event_id)
            return [Reply(FAILED, kind=ReplyKind.ERROR)]

    async def send(
        self,
        replies: Sequence[Reply],
        *,
        place: Place,
        lead: str | None = None,
        response_url: str | None = None,
    ) -> None:
        """Each reply where the conversation is; cards through the index (updated in place later)."""
        for i, reply in enumerate(replies):
            first_lead = lead if i == 0 else None
            if is_card(reply):
                shown = await show_card(self._surface, self._cards, reply, place=place, lead=first_lead)
                done = shown is not None
            else:
                rendered = self._surface.render(reply, lead=first_lead)
                done = await self._surface.post_rendered(rendered, place=place) is not None
            if not done and response_url:  # the bot is not in this channel: the command's reply URL works
                await self._respond(response_url, reply, lead=first_lead)

    async def _respond(self, url: str, reply: Reply, *, lead: str | None) -> None:
        rendered = self._surface.render(reply, lead=lead)
        body = {"response_type": "in_channel", "text": rendered.message, "props": rendered.props}
        try:
            await self._api.respond(url, body)
        except MattermostError as e:
            log.warning("the slash command's response_url failed: %s", e)

    async def _is_direct(self, channel_id: str) -> bool:
        if channel_id not in self._direct:
            try:
                channel = await self._api.channel(channel_id)
            except MattermostError as e:
                log.info("channel %s unknown: %s", channel_id, e)
                return False
            if len(self._direct) > 5000:
                self._direct.clear()
            self._direct[channel_id] = channel.get("type") == "D"
        return self._direct[channel_id]
