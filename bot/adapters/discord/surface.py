"""`DiscordSurface`: the core's `ChatSurface` port on Discord (post a reply, replace it).

`post` sends a reply into the conversation of a `Place` (its thread, else its
channel) through the `Poster`, files attached, mentions disabled, and answers
with the channel and message id as a `PostedRef`; `update` edits that message
through its channel (which works long after an interaction's token is gone).
The core's cards, progress notes and notices reach Discord only through here.
"""

from __future__ import annotations

from bot.domain.models import Reply
from bot.domain.ports import Place, PostedRef

from .cards import CardRef, destination
from .convert import PLATFORM
from .poster import Poster


class DiscordSurface:
    def __init__(self, poster: Poster) -> None:
        self._poster = poster

    @property
    def platform(self) -> str:
        return PLATFORM

    async def post(self, reply: Reply, *, place: Place) -> PostedRef | None:
        channel_id = destination(place)
        message = await self._poster.send(reply, channel_id=channel_id)
        return None if message is None else CardRef(channel_id, message.id).to_posted()

    async def update(self, ref: PostedRef, reply: Reply) -> bool:
        card = CardRef.from_posted(ref)
        return card is not None and await self._poster.edit(reply, ref=card)
