"""Where each approval card was posted (channel, ts, workspace), so it can be updated in place.

`CardIndex` is the port; `MemoryCardIndex` keeps the map in this process.
After a restart the map is empty: a click still works (the click payload says
where its card is, and that is remembered again), but the expiry sweep and
long-running notices cannot update cards posted before the restart; they post
into the approval's thread instead. A store-backed index (a small table keyed
by approval id) can replace this without touching the rest of the adapter.
This module never calls Slack.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Protocol


@dataclasses.dataclass(frozen=True)
class CardRef:
    channel: str
    ts: str
    team: str | None  # the workspace the card belongs to: clicks from another are refused
    thread_ts: str | None = None  # the thread the card was posted in, if any

    @property
    def thread(self) -> str:
        return self.thread_ts or self.ts


class CardIndex(Protocol):
    async def remember(self, approval_id: str, ref: CardRef) -> None: ...

    async def lookup(self, approval_id: str) -> CardRef | None: ...


class CardStore(Protocol):
    """The part of the bot's store that keeps card locations."""

    async def remember_card(self, *, approval_id: str, platform: str, ref: Mapping[str, Any]) -> None: ...

    async def card_ref(self, *, approval_id: str, platform: str) -> dict[str, Any] | None: ...


class MemoryCardIndex:
    """Bounded: the oldest cards are forgotten first (they have long expired)."""

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
            approval_id=approval_id, platform="slack", ref=dataclasses.asdict(ref)
        )

    async def lookup(self, approval_id: str) -> CardRef | None:
        data = await self._store.card_ref(approval_id=approval_id, platform="slack")
        if data is None:
            return None
        return CardRef(
            channel=data["channel"], ts=data["ts"], team=data.get("team"), thread_ts=data.get("thread_ts")
        )
