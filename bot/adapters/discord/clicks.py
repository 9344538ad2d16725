"""Approve / Deny / Undo clicks: acknowledged at once, decided by the router, the card edited in place.

An alert card's buttons are deferred the same way and go to the router; their
answers follow up (a Silence's approval card among them).

Every click is deferred within Discord's 3 seconds and completed through the
interaction's follow-ups. Whether this person may decide is the router's and
the policy's call (`router.handle_button`, by Discord role ids and user ids);
a refusal, an "already decided" or a "needs one more approver" goes privately
to the clicker (an ephemeral follow-up) and changes nothing. A decision edits
the card in place and posts the outcome in the conversation. A DESTRUCTIVE
approve first asks "are you sure?" privately; its own button carries the
card's message id so the card is updated where it is.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord

from bot.conversation.delivery import CardBoard
from bot.conversation.router import Router
from bot.domain.models import Reply, ReplyKind
from bot.domain.outcomes import Outcome, describe_call
from bot.domain.replies import approval_card, is_refusal
from bot.gate.approvals import ApprovalDesk

from .buttons import Click, confirmation_view
from .cards import CardRef
from .convert import interaction_place, interaction_principal
from .poster import Poster
from .render import NO_MENTIONS, is_card

log = logging.getLogger(__name__)

FAILED = (
    "Something went wrong on my side with that click (see the bot's logs); check /approvals before retrying."
)
UNKNOWN = "I know no approval {id}; it may belong to another bot. Ask with /approvals."


class Clicks:
    def __init__(self, *, router: Router, desk: ApprovalDesk, poster: Poster, cards: CardBoard) -> None:
        self._router = router
        self._desk = desk
        self._poster = poster
        self._cards = cards
        self._busy = 0
        self._idle = asyncio.Event()
        self._idle.set()

    async def idle(self) -> None:
        """Returns once no click is being handled (its card edits and follow-ups all sent)."""
        await self._idle.wait()

    async def on_click(self, interaction: discord.Interaction[Any], click: Click) -> None:
        self._busy += 1
        self._idle.clear()
        try:
            await self._on_click(interaction, click)
        finally:
            self._busy -= 1
            if self._busy == 0:
                self._idle.set()

    async def _on_click(self, interaction: discord.Interaction[Any], click: Click) -> None:
        if click.action == "confirm":
            await self._ask_to_confirm(interaction, click)
            return
        if click.button_action.is_alert_action:
            await self._on_alert_click(interaction, click)
            return
        await interaction.response.defer()  # "deferred update": the card stays as it is for now
        card = self._card_ref(interaction, click)
        if card is not None:
            await self._cards.remember(click.approval_id, card.to_posted(), place=card.place)
        decided_click = await self._decide(interaction, click)
        if decided_click is None:
            return
        outcome, replies = decided_click
        private = is_refusal(click.button_action, outcome, click.approval_id)
        if not private:
            await self._show_decision(interaction, click, card)
        for reply in replies:
            if is_card(reply) and reply.approval_id == click.approval_id:
                continue  # shown in place above
            await self._poster.follow_up(interaction, reply, ephemeral=private or reply.ephemeral)

    async def _decide(
        self, interaction: discord.Interaction[Any], click: Click
    ) -> tuple[Outcome, list[Reply]] | None:
        """The core's answer to a click, as the clicker; None (and the clicker told) if it broke."""
        place = interaction_place(interaction)
        try:
            return await self._router.handle_button(
                principal=interaction_principal(interaction),
                action=click.button_action,
                approval_id=click.approval_id,
                channel=place.channel,
                thread=place.thread,
            )
        except Exception:  # the boundary: report, keep serving
            log.exception("click %s on %s failed", click.action, click.approval_id)
            await self._poster.follow_up(interaction, Reply(FAILED, kind=ReplyKind.ERROR), ephemeral=True)
            return None

    async def _on_alert_click(self, interaction: discord.Interaction[Any], click: Click) -> None:
        """An alert card's button: the card stays (the alerts' leader redraws it); the answers follow
        up, privately when they say so; a Silence's approval is a new card."""
        await interaction.response.defer()
        decided_click = await self._decide(interaction, click)
        if decided_click is None:
            return
        _, replies = decided_click
        for reply in replies:
            await self._poster.follow_up(interaction, reply, ephemeral=reply.ephemeral)

    def _card_ref(self, interaction: discord.Interaction[Any], click: Click) -> CardRef | None:
        if interaction.channel_id is None:
            return None
        if click.card_id is not None:
            return CardRef(interaction.channel_id, click.card_id)
        if interaction.message is not None:
            return CardRef(interaction.channel_id, interaction.message.id)
        return None

    async def _show_decision(
        self, interaction: discord.Interaction[Any], click: Click, card: CardRef | None
    ) -> None:
        record = await self._desk.get(click.approval_id)
        if record is None:
            return
        current = approval_card(record)
        if click.card_id is None:
            await self._poster.edit_original(interaction, current)  # the card the button is on
            return
        if card is not None:
            await self._poster.edit(current, ref=card)
        await self._poster.edit_original(interaction, Reply(current.text.splitlines()[0]))

    async def _ask_to_confirm(self, interaction: discord.Interaction[Any], click: Click) -> None:
        record = await self._desk.get(click.approval_id)
        if record is None or interaction.message is None:
            await interaction.response.send_message(
                UNKNOWN.format(id=click.approval_id), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        call = describe_call(record.operation, record.args).replace("`", "'")
        await interaction.response.send_message(
            f"**{record.safety.upper()}** change: `{call}`\n"
            f"Approve approval {record.id}? This is hard to undo.",
            view=confirmation_view(record.id, card_id=interaction.message.id),
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
