"""Sending and editing messages: in a channel, as an interaction follow-up, or in place.

Every send and edit goes through here, with mentions disabled. Approval cards
posted in a conversation are remembered in the core's card index so later
updates (a long-running change finishing, expiry) can edit them. A Discord
failure is logged and reported as `None`/`False`, never raised into the
caller: the request was recorded by the router before anything is sent.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.conversation.delivery import CardBoard
from bot.domain.models import Reply

from .cards import CardRef
from .render import is_card, to_outgoing

log = logging.getLogger(__name__)


class Poster:
    def __init__(self, client: discord.Client, cards: CardBoard) -> None:
        self._client = client
        self._cards = cards

    async def post(self, reply: Reply, *, channel_id: int) -> discord.Message | None:
        """Post in a conversation; a card is remembered where it landed."""
        message = await self.send(reply, channel_id=channel_id)
        if message is not None:
            await self._remember(reply, channel_id=channel_id, message_id=message.id)
        return message

    async def send(self, reply: Reply, *, channel_id: int) -> discord.Message | None:
        channel = self._client.get_partial_messageable(channel_id)
        try:
            return await channel.send(**to_outgoing(reply).send_kwargs())
        except discord.HTTPException as e:
            log.warning("could not post in channel %s: %s", channel_id, _describe(e))
            return None

    async def follow_up(
        self, interaction: discord.Interaction[Any], reply: Reply, *, ephemeral: bool = False
    ) -> discord.WebhookMessage | None:
        kwargs = to_outgoing(reply).send_kwargs()
        try:
            message = await interaction.followup.send(wait=True, ephemeral=ephemeral, **kwargs)
        except discord.HTTPException as e:
            log.warning("could not follow up on interaction %s: %s", interaction.id, _describe(e))
            return None
        if not ephemeral and interaction.channel_id is not None:
            await self._remember(reply, channel_id=interaction.channel_id, message_id=message.id)
        return message

    async def edit_original(self, interaction: discord.Interaction[Any], reply: Reply) -> bool:
        """The message the interaction is about: its own response, or the card it was clicked on."""
        try:
            message = await interaction.edit_original_response(**to_outgoing(reply).edit_kwargs())
        except discord.HTTPException as e:
            log.warning("could not edit the response of interaction %s: %s", interaction.id, _describe(e))
            return False
        if interaction.channel_id is not None and not message.flags.ephemeral:
            await self._remember(reply, channel_id=interaction.channel_id, message_id=message.id)
        return True

    async def edit(self, reply: Reply, *, ref: CardRef) -> bool:
        """Edit a message through its channel (works after the 15-minute interaction token is gone)."""
        message = self._client.get_partial_messageable(ref.channel_id).get_partial_message(ref.message_id)
        try:
            await message.edit(**to_outgoing(reply).edit_kwargs())
        except discord.HTTPException as e:
            log.warning("could not edit message %s: %s", ref.message_id, _describe(e))
            return False
        return True

    async def _remember(self, reply: Reply, *, channel_id: int, message_id: int) -> None:
        if is_card(reply) and reply.approval_id is not None:
            card = CardRef(channel_id, message_id)
            await self._cards.remember(reply.approval_id, card.to_posted(), place=card.place)


def _describe(error: discord.HTTPException) -> str:
    return f"HTTP {error.status} ({error.code}): {error.text[:200]}"
