"""Where each Mattermost approval card was posted (post id, channel, thread), so it is updated in place.

The index is the core's card board (`bot.conversation.delivery.cards`), kept in the database under platform
"mattermost": a card posted before a restart is still found, by a click or
by the core's one sweep, which redraws it through the surface. `show_card` updates a card where it already
is, or posts it and remembers where. This module never calls Mattermost
itself; it goes through the surface.
"""

from __future__ import annotations

import dataclasses

from bot.conversation.delivery.cards import CardBoard
from bot.domain.models import Reply
from bot.domain.ports import Place, PostedRef

from .surface import PLATFORM, MattermostSurface


@dataclasses.dataclass(frozen=True)
class CardRef:
    post_id: str
    channel_id: str
    root_id: str | None = None  # the thread the card sits in, if any

    @property
    def thread(self) -> str:
        """Where the conversation about this card continues: its thread, or a thread under the card."""
        return self.root_id or self.post_id

    def to_posted(self) -> PostedRef:
        return PostedRef(
            PLATFORM, {"post_id": self.post_id, "channel_id": self.channel_id, "root_id": self.root_id}
        )

    @classmethod
    def from_posted(cls, ref: PostedRef) -> CardRef:
        return cls(str(ref.data["post_id"]), str(ref.data["channel_id"]), ref.data.get("root_id") or None)


class CardIndex:
    """The core's card board seen as Mattermost card references."""

    def __init__(self, board: CardBoard) -> None:
        self._board = board

    async def lookup(self, approval_id: str) -> CardRef | None:
        known = await self._board.lookup(approval_id, PLATFORM)
        if known is None or not known.ref.data.get("post_id") or not known.ref.data.get("channel_id"):
            return None
        return CardRef.from_posted(known.ref)

    async def remember(self, approval_id: str, ref: CardRef) -> None:
        await self._board.remember(
            approval_id, ref.to_posted(), place=Place(PLATFORM, ref.channel_id, ref.thread)
        )


async def show_card(
    surface: MattermostSurface, cards: CardIndex, reply: Reply, *, place: Place, lead: str | None = None
) -> CardRef | None:
    """Update the approval's card where it already is; otherwise post it at `place` and remember it."""
    assert reply.approval_id is not None
    known = await cards.lookup(reply.approval_id)
    if known is not None and await surface.update(known.to_posted(), reply):
        return known
    posted = await surface.post_rendered(surface.render(reply, lead=lead), place=place)
    if posted is None:
        return None
    ref = CardRef.from_posted(posted)
    await cards.remember(reply.approval_id, ref)
    return ref
