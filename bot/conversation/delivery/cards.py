"""The approval-card index: where each card is, per platform, and showing a card in place.

A card's location is the surface's own `PostedRef` (Slack: channel + ts;
Discord: channel id + message id…) and the `Place` where more is said about
it (its thread), kept in the bot's database per (approval id, platform) as a
small JSON object, so cards posted before a restart are still updated in
place, by any replica. `show()` updates the card where it is, else posts it
and remembers where; `refresh()` redraws cards of rows the bot settled on its
own (expired, outcome unknown) on every registered surface. The core stores a
ref's data and hands it back to its surface; it never reads it.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bot.conversation.delivery.surfaces import SurfaceRegistry
from bot.domain.models import Reply
from bot.domain.ports import ChatSurface, Place, PostedRef
from bot.domain.replies import approval_card
from storage.records import ApprovalRecord

log = logging.getLogger(__name__)


class CardStore(Protocol):
    """The part of the bot's store that keeps card locations (`storage.store.Store`)."""

    async def remember_card(self, *, approval_id: str, platform: str, ref: Mapping[str, Any]) -> None: ...

    async def card_ref(self, *, approval_id: str, platform: str) -> dict[str, Any] | None: ...


@dataclasses.dataclass(frozen=True)
class KnownCard:
    ref: PostedRef
    place: Place | None  # where more is said about the card; None for rows stored before places were


def place_of(record: ApprovalRecord) -> Place:
    """Where the requester asked: the record's channel and thread on their platform."""
    return Place(record.requester_platform, record.channel, record.thread)


def _encode(ref: PostedRef, place: Place) -> dict[str, Any]:
    return {"data": dict(ref.data), "place": {"channel": place.channel, "thread": place.thread}}


def _decode(platform: str, stored: Mapping[str, Any]) -> KnownCard:
    data, place = stored.get("data"), stored.get("place")
    if not isinstance(data, Mapping):  # an adapter's own flat reference, stored before places were
        data, place = stored, None
    values = {str(k): (None if v is None else str(v)) for k, v in data.items()}
    where = None
    if isinstance(place, Mapping) and isinstance(place.get("channel"), str):
        thread = place.get("thread")
        where = Place(platform, place["channel"], thread if isinstance(thread, str) else None)
    return KnownCard(PostedRef(platform, values), where)


class CardBoard:
    def __init__(self, store: CardStore, surfaces: SurfaceRegistry) -> None:
        self._store = store
        self._surfaces = surfaces

    async def remember(self, approval_id: str, ref: PostedRef, *, place: Place) -> None:
        """`ref` is where the card is; `place` where more is said about it (its thread)."""
        await self._store.remember_card(
            approval_id=approval_id, platform=ref.platform, ref=_encode(ref, place)
        )

    async def lookup(self, approval_id: str, platform: str) -> KnownCard | None:
        stored = await self._store.card_ref(approval_id=approval_id, platform=platform)
        return None if stored is None else _decode(platform, stored)

    async def place_for(self, record: ApprovalRecord) -> Place:
        """Where to tell the requester about a change: the card's thread, else where they asked."""
        known = await self.lookup(record.id, record.requester_platform)
        return known.place if known is not None and known.place is not None else place_of(record)

    async def show(self, card: Reply, *, place: Place) -> PostedRef | None:
        """Update the card where it is on `place`'s platform; else post it at `place` and remember it."""
        assert card.approval_id is not None, "a card names its approval"
        surface = self._surfaces.get(place.platform)
        if surface is None:
            return None
        return await self._show(surface, card.approval_id, card, fallback=place, prefer_known=False)

    async def refresh(self, rows: Sequence[ApprovalRecord]) -> int:
        """Redraw the cards of rows the bot settled on its own (expired, outcome unknown).

        Every registered surface that shows a card updates it in place; on the requester's
        own platform a card that is not known (or is gone) is posted where the conversation
        is. Returns how many cards were shown."""
        shown = 0
        for row in rows:
            card = approval_card(row)
            for surface in self._surfaces:
                if surface.platform == row.requester_platform:
                    posted = await self._show(
                        surface, row.id, card, fallback=place_of(row), prefer_known=True
                    )
                    shown += posted is not None
                    continue
                known = await self.lookup(row.id, surface.platform)
                if known is not None and await surface.update(known.ref, card):
                    shown += 1
        return shown

    async def _show(
        self, surface: ChatSurface, approval_id: str, card: Reply, *, fallback: Place, prefer_known: bool
    ) -> PostedRef | None:
        known = await self.lookup(approval_id, surface.platform)
        if known is not None and await surface.update(known.ref, card):
            return known.ref
        place = known.place if prefer_known and known is not None and known.place is not None else fallback
        posted = await surface.post(card, place=place)
        if posted is not None:
            await self.remember(approval_id, posted, place=place)
        return posted
