"""Sending to Slack: replies into threads, cards updated in place, private notes, files, reactions.

It renders through `blocks.py` (which escapes everything the core hands over)
and talks to the Web API through one `AsyncWebClient`. A failed call is
logged with Slack's error code (never the token) and swallowed: the router
has already recorded the answer, and the adapter must not crash on a post.
Where the bot is not in the channel (a slash command used elsewhere), the
command's `response_url` is the fallback. Nothing here decides anything.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.conversation.delivery import CardBoard
from bot.domain.models import Attachment, Reply, ReplyKind

from .blocks import Rendered, Upload, render_reply
from .cards import CardRef
from .directory import PLATFORM

log = logging.getLogger(__name__)

API_ERRORS = (SlackApiError, aiohttp.ClientError, OSError, TimeoutError)
TOO_LONG_FOR_PRIVATE = (
    "The full output is too long for a private reply; ask in a thread or a DM to get it as a file."
)
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found", "is_archived"})


def is_card(reply: Reply) -> bool:
    return reply.kind is ReplyKind.APPROVAL and reply.approval_id is not None


def _why(error: BaseException) -> str:
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or "error")
    return type(error).__name__


class Poster:
    def __init__(
        self, client: AsyncWebClient, *, cards: CardBoard, team_id: Callable[[], str | None]
    ) -> None:
        self._client = client
        self._cards = cards
        self._team_id = team_id

    async def post_replies(
        self,
        replies: Sequence[Reply],
        *,
        channel: str,
        thread: str | None,
        ephemeral_to: str | None = None,
        response_url: str | None = None,
        lead: str | None = None,
    ) -> None:
        """Cards are always public (others approve them); other replies go privately if asked."""
        for i, reply in enumerate(replies):
            first_lead = lead if i == 0 else None
            if is_card(reply):
                await self.show_card(
                    reply, channel=channel, thread=thread, lead=first_lead, response_url=response_url
                )
            elif ephemeral_to is not None:
                await self.post_ephemeral(
                    reply, channel=channel, user=ephemeral_to, thread=thread, response_url=response_url
                )
            else:
                await self.post(
                    reply, channel=channel, thread=thread, lead=first_lead, response_url=response_url
                )

    async def show_card(
        self,
        reply: Reply,
        *,
        channel: str,
        thread: str | None,
        lead: str | None = None,
        response_url: str | None = None,
    ) -> None:
        """Update the approval's card where it already is; otherwise post it and remember where
        (in the core's card index, with its thread as the place to say more)."""
        assert reply.approval_id is not None
        known = await self._cards.lookup(reply.approval_id, PLATFORM)
        ref = CardRef.from_posted(known.ref) if known is not None else None
        if ref is not None and await self.update_card(ref, reply):
            return
        ts = await self.post(reply, channel=channel, thread=thread, lead=lead, response_url=response_url)
        if ts is not None:
            card = CardRef(channel, ts, self._team_id(), thread)
            await self._cards.remember(reply.approval_id, card.to_posted(), place=card.place)

    async def post(
        self,
        reply: Reply,
        *,
        channel: str,
        thread: str | None,
        lead: str | None = None,
        response_url: str | None = None,
    ) -> str | None:
        rendered = render_reply(reply, lead=lead)
        try:
            response = await self._client.chat_postMessage(
                channel=channel,
                thread_ts=thread,
                text=rendered.text,
                blocks=list(rendered.blocks),
                unfurl_links=False,
                unfurl_media=False,
            )
        except API_ERRORS as e:
            if response_url and isinstance(e, SlackApiError) and e.response.get("error") in NOT_A_MEMBER:
                await self._respond(response_url, rendered, ephemeral=False)
            else:
                log.warning("chat.postMessage to %s failed: %s", channel, _why(e))
            return None
        ts = response.get("ts")
        ts = ts if isinstance(ts, str) else None
        if rendered.upload is not None:
            await self.upload(rendered.upload, channel=channel, thread=thread or ts)
        for attachment in reply.files:  # chart images go into the thread of the message they belong to
            await self.upload_file(attachment, channel=channel, thread=thread or ts)
        return ts

    async def update_card(self, ref: CardRef, reply: Reply) -> bool:
        return await self.update(reply, channel=ref.channel, ts=ref.ts)

    async def update(self, reply: Reply, *, channel: str, ts: str) -> bool:
        """Replace a message the bot posted (a card, a progress note) with `reply`."""
        rendered = render_reply(reply)
        try:
            await self._client.chat_update(
                channel=channel, ts=ts, text=rendered.text, blocks=list(rendered.blocks)
            )
        except API_ERRORS as e:
            log.warning("chat.update in %s failed: %s", channel, _why(e))
            return False
        return True

    async def post_ephemeral(
        self,
        reply: Reply,
        *,
        channel: str,
        user: str,
        thread: str | None = None,
        response_url: str | None = None,
    ) -> None:
        rendered = render_reply(reply)
        blocks = list(rendered.blocks)
        if rendered.upload is not None or reply.files:  # files cannot be private: say they are not here
            note = {"type": "mrkdwn", "text": TOO_LONG_FOR_PRIVATE}
            blocks.append({"type": "context", "elements": [note]})
        try:
            await self._client.chat_postEphemeral(
                channel=channel, user=user, thread_ts=thread, text=rendered.text, blocks=blocks
            )
        except API_ERRORS as e:
            if response_url is not None:
                await self._respond(response_url, Rendered(rendered.text, tuple(blocks)), ephemeral=True)
            else:
                log.warning("chat.postEphemeral in %s failed: %s", channel, _why(e))

    async def tell(
        self,
        text: str,
        *,
        channel: str,
        user: str,
        thread: str | None = None,
        response_url: str | None = None,
    ) -> None:
        """A private one-line note to one person (a refused click, a usage hint)."""
        await self.post_ephemeral(
            Reply(text, kind=ReplyKind.INFO),
            channel=channel,
            user=user,
            thread=thread,
            response_url=response_url,
        )

    async def upload(self, upload: Upload, *, channel: str, thread: str | None) -> None:
        try:
            await self._client.files_upload_v2(
                channel=channel,
                thread_ts=thread,
                content=upload.content,
                filename=upload.filename,
                title=upload.title,
            )
        except API_ERRORS as e:
            log.warning("files upload to %s failed: %s", channel, _why(e))

    async def upload_file(self, attachment: Attachment, *, channel: str, thread: str | None) -> None:
        """Post a file the result carries (a chart image), shown inline by Slack's clients."""
        try:
            await self._client.files_upload_v2(
                channel=channel,
                thread_ts=thread,
                file=attachment.content,
                filename=attachment.filename,
                title=attachment.title or attachment.filename,
            )
        except API_ERRORS as e:
            log.warning("files upload to %s failed: %s", channel, _why(e))

    async def react(self, *, channel: str, ts: str, name: str, remove: bool = False) -> None:
        try:
            if remove:
                await self._client.reactions_remove(channel=channel, timestamp=ts, name=name)
            else:
                await self._client.reactions_add(channel=channel, timestamp=ts, name=name)
        except API_ERRORS as e:
            log.info("reaction %s on %s failed: %s", name, channel, _why(e))

    async def _respond(self, url: str, rendered: Rendered, *, ephemeral: bool) -> None:
        try:
            await AsyncWebhookClient(url, timeout=10).send(
                text=rendered.text,
                blocks=list(rendered.blocks),
                response_type="ephemeral" if ephemeral else "in_channel",
                replace_original=False,
            )
        except API_ERRORS as e:
            log.warning("response_url post failed: %s", _why(e))
