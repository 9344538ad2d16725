"""Where each approval card was posted (channel and message id), so it can be edited in place.

Clicks need no index (a click carries its card), but completion notices of
long-running changes and the expiry sweep do. `MemoryCardIndex` keeps the
map in this process, bounded; after a restart it is empty, a click teaches it
again, and a notice about a card it does not know posts a fresh card in the
approval's conversation instead. This module never calls Discord.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Protocol


@dataclasses.dataclass(frozen=True)
class CardRef:
    channel_id: int  # the channel or thread the card is in
    message_id: int


class CardIndex(Protocol):
    async def remember(self, approval_id: str, ref: CardRef) -> None: ...

    async def lookup(self, approval_id: str) -> CardRef | None: ...


class CardStore(Protocol):
    """The part of the bot's store that keeps card locations."""

    async def remember_card(self, *, approval_id: str, platform: str, ref: Mapping[str, Any]) -> None: ...

    async def card_ref(self, *, approval_id: str, platform: str) -> dict[str, Any] | None: ...


class MemoryCardIndex:
    """The oldest cards are forgotten first: they expired long ago."""

    def __init__(self, *, capacity: int = 20_000) -> None:
        self._capacity = capacity
        self._refs: OrderedDict[str, CardRef] = OrderedDict()

    async def remember(self, approval_id: str, ref: CardRef) -> None:
        self._refs[approval_id] = ref
        self._refs.move_to_end(approval_id)
        while len(self._refs) > self._capacity:
            self._refs.popitem(last=False)

    async def lookup(self, approval_id: str) -> CardRef | None:
        return self._refs.get(approval_id)


class StoreCardIndex:
    """Card locations kept in the bot's database: they survive restarts and are shared by replicas."""

    def __init__(self, store: CardStore) -> None:
        self._store = store

    async def remember(self, approval_id: str, ref: CardRef) -> None:
        await self._store.remember_card(
            approval_id=approval_id, platform="discord", ref=dataclasses.asdict(ref)
        )

    async def lookup(self, approval_id: str) -> CardRef | None:
        data = await self._store.card_ref(approval_id=approval_id, platform="discord")
        if data is None:
            return None
        return CardRef(channel_id=int(data["channel_id"]), message_id=int(data["message_id"]))
