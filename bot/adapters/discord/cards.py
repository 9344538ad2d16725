"""Where each Discord approval card was posted (channel and message id), so it can be edited in place.

Clicks need no index (a click carries its card), but completion notices of
long-running changes and the expiry sweep do. The index itself is the core's
(`bot.conversation.cards`), kept in the database so it survives restarts. This module
never calls Discord.
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
    channel_id: int  # the channel or thread the card is in
    message_id: int


def _decode(data: dict[str, Any]) -> CardRef:
    return CardRef(channel_id=int(data["channel_id"]), message_id=int(data["message_id"]))


CardIndex = GenericCardIndex[CardRef]
MemoryCardIndex = GenericMemoryCardIndex[CardRef]


def StoreCardIndex(store: CardStore) -> GenericStoreCardIndex[CardRef]:
    return GenericStoreCardIndex(store, platform="discord", decode=_decode)
