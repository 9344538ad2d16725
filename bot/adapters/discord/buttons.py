"""Persistent Approve / Deny / Undo buttons whose custom id carries only the approval id.

An alert card's buttons (`chatops:acknowledge:<fingerprint>`, `chatops:silence_1h:…`)
are the same kind of item; their id is the alert's fingerprint.

Each button is a `discord.ui.DynamicItem`: its custom id
(`chatops:approve:<id>`, `chatops:deny:<id>`, `chatops:undo:<id>`) is parsed
again on every click, so a card posted before a restart still works after it
once `DYNAMIC_ITEMS` are registered with `client.add_dynamic_items()`. An
Approve that needs an "are you sure?" (a DESTRUCTIVE change) is
`chatops:confirm:<id>`; the confirmation it opens carries the card's message
id as well (`chatops:approve:<id>:<card>`) so the card can be updated in
place. The id is never trusted for anything else: whether the clicker may
decide is the router's and the policy's call. A click is handed to the
client's `click_handler`; nothing here decides.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import Any, Protocol

import discord

from bot.domain.models import Button, ButtonAction

ALERT_STYLES = {
    ButtonAction.INVESTIGATE.value: discord.ButtonStyle.primary,
    ButtonAction.SILENCE_1H.value: discord.ButtonStyle.secondary,
    ButtonAction.SILENCE_4H.value: discord.ButtonStyle.secondary,
    ButtonAction.SILENCE_RESOLVED.value: discord.ButtonStyle.secondary,
    ButtonAction.ACKNOWLEDGE.value: discord.ButtonStyle.success,
}
STYLES = {
    "approve": discord.ButtonStyle.success,
    "confirm": discord.ButtonStyle.success,
    "deny": discord.ButtonStyle.danger,
    "undo": discord.ButtonStyle.secondary,
    **ALERT_STYLES,  # an alert card's buttons: the id is the alert's fingerprint
}
TEMPLATE = re.compile(
    rf"^chatops:(?P<action>{'|'.join(STYLES)}):(?P<id>[A-Za-z0-9_-]{{1,40}})(?::(?P<card>[0-9]{{1,20}}))?$"
)
NOT_READY = "The bot is still starting; try the button again in a few seconds."


@dataclasses.dataclass(frozen=True)
class Click:
    """A parsed click: `confirm` asks first; `card_id` is set on a confirmation's own button."""

    action: str
    approval_id: str
    card_id: int | None = None

    @property
    def button_action(self) -> ButtonAction:
        return ButtonAction.APPROVE if self.action == "confirm" else ButtonAction(self.action)


class ClickHandler(Protocol):
    async def on_click(self, interaction: discord.Interaction[Any], click: Click) -> None: ...


def custom_id(click: Click) -> str:
    return f"chatops:{click.action}:{click.approval_id}" + (
        f":{click.card_id}" if click.card_id is not None else ""
    )


class ApprovalButton(discord.ui.DynamicItem[discord.ui.Button[discord.ui.View]], template=TEMPLATE):
    def __init__(self, click: Click, *, label: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or click.action.capitalize(),
                style=STYLES[click.action],
                custom_id=custom_id(click),
            )
        )
        self.click = click

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ApprovalButton:
        card = match["card"]
        return cls(Click(match["action"], match["id"], int(card) if card else None))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: ClickHandler | None = getattr(interaction.client, "click_handler", None)
        if handler is None:
            await interaction.response.send_message(
                NOT_READY, ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
            )
            return
        await handler.on_click(interaction, self.click)


DYNAMIC_ITEMS: tuple[type[ApprovalButton], ...] = (ApprovalButton,)


def to_click(button: Button) -> Click:
    if button.action is ButtonAction.APPROVE and button.confirm:
        return Click("confirm", button.approval_id)
    return Click(button.action.value, button.approval_id)


def card_view(buttons: Sequence[Button]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for button in buttons[:5]:
        view.add_item(ApprovalButton(to_click(button), label=button.label))
    return view


def confirmation_view(approval_id: str, *, card_id: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ApprovalButton(Click("approve", approval_id, card_id), label="Yes, approve"))
    return view
