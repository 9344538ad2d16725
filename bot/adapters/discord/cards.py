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
from typing import Protocol


@dataclasses.dataclass(frozen=True)
class CardRef:
    channel_id: int  # the channel or thread the card is in
    message_id: int


class CardIndex(Protocol):
    async def remember(self, approval_id: str, ref: CardRef) -> None: ...

    async def lookup(self, approval_id: str) -> CardRef | None: ...


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
