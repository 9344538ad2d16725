"""Where each Slack approval card was posted (channel, ts, workspace), so it can be updated in place.

The index itself is the core's (`bot.conversation.cards`): kept in the database, so cards
posted before a restart are still updated by the expiry sweep and by
long-running notices. This module never calls Slack.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bot.conversation.cards import CardIndex as GenericCardIndex
from bot.conversation.cards import CardStore
from bot.conversation.cards import MemoryCardIndex as GenericMemoryCardIndex
from bot.conversation.cards import StoreCardIndex as GenericStoreCardIndex


@dataclasses.dataclass(frozen=True)
class CardRef:
    channel: str
    ts: str
    team: str | None  # the workspace the card belongs to: clicks from another are refused
    thread_ts: str | None = None  # the thread the card was posted in, if any

    @property
    def thread(self) -> str:
        return self.thread_ts or self.ts


def _decode(data: dict[str, Any]) -> CardRef:
    return CardRef(
        channel=data["channel"], ts=data["ts"], team=data.get("team"), thread_ts=data.get("thread_ts")
    )


CardIndex = GenericCardIndex[CardRef]
MemoryCardIndex = GenericMemoryCardIndex[CardRef]


def StoreCardIndex(store: CardStore) -> GenericStoreCardIndex[CardRef]:
    return GenericStoreCardIndex(store, platform="slack", decode=_decode)
