"""A Discord approval card's location (channel and message id) as the core's `PostedRef` and back.

Clicks carry their card, but completion notices of long-running changes and
the expiry sweep need to find it: the index is the core's
(`bot.conversation.delivery.cards`), kept in the database under platform
"discord", so it survives restarts. This module never calls Discord.
"""

from __future__ import annotations

import dataclasses

from bot.domain.ports import Place, PostedRef

from .convert import PLATFORM


def destination(place: Place) -> int:
    """The channel or thread a message for `place` goes to (the conversation, not its parent)."""
    return int(place.thread or place.channel)


@dataclasses.dataclass(frozen=True)
class CardRef:
    channel_id: int  # the channel or thread the card is in
    message_id: int

    @property
    def place(self) -> Place:
        return Place(PLATFORM, str(self.channel_id))

    def to_posted(self) -> PostedRef:
        return PostedRef(PLATFORM, {"channel_id": str(self.channel_id), "message_id": str(self.message_id)})

    @classmethod
    def from_posted(cls, ref: PostedRef) -> CardRef | None:
        channel_id, message_id = ref.data.get("channel_id"), ref.data.get("message_id")
        if ref.platform != PLATFORM or not channel_id or not message_id:
            return None
        return cls(int(channel_id), int(message_id))
