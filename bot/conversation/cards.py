"""Where an adapter posted each approval card, so it can update the card in place.

Generic over the adapter's own reference type (Slack: channel + ts; Discord:
channel id + message id). `StoreCardIndex` keeps references in the bot's
database (they survive restarts and are shared by replicas);
`MemoryCardIndex` keeps them in this process (tests, tools). Nothing here
calls a chat platform.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any, Generic, Protocol, TypeVar

Ref = TypeVar("Ref")


class CardIndex(Protocol[Ref]):
    async def remember(self, approval_id: str, ref: Ref) -> None: ...

    async def lookup(self, approval_id: str) -> Ref | None: ...


class CardStore(Protocol):
    """The part of the bot's store that keeps card locations."""

    async def remember_card(self, *, approval_id: str, platform: str, ref: Mapping[str, Any]) -> None: ...

    async def card_ref(self, *, approval_id: str, platform: str) -> dict[str, Any] | None: ...


class MemoryCardIndex(Generic[Ref]):
    """Bounded: the oldest cards are forgotten first (they have long expired)."""

    def __init__(self, *, capacity: int = 20_000) -> None:
        self._capacity = capacity
        self._refs: OrderedDict[str, Ref] = OrderedDict()

    async def remember(self, approval_id: str, ref: Ref) -> None:
        self._refs[approval_id] = ref
        self._refs.move_to_end(approval_id)
        while len(self._refs) > self._capacity:
            self._refs.popitem(last=False)

    async def lookup(self, approval_id: str) -> Ref | None:
        return self._refs.get(approval_id)


class StoreCardIndex(Generic[Ref]):
    """Card locations kept in the bot's database, as small JSON objects."""

    def __init__(self, store: CardStore, *, platform: str, decode: Callable[[dict[str, Any]], Ref]) -> None:
        self._store = store
        self._platform = platform
        self._decode = decode

    async def remember(self, approval_id: str, ref: Ref) -> None:
        if not dataclasses.is_dataclass(ref) or isinstance(ref, type):
            raise TypeError("a card reference must be a dataclass instance")
        await self._store.remember_card(
            approval_id=approval_id, platform=self._platform, ref=dataclasses.asdict(ref)
        )

    async def lookup(self, approval_id: str) -> Ref | None:
        data = await self._store.card_ref(approval_id=approval_id, platform=self._platform)
        return None if data is None else self._decode(data)
