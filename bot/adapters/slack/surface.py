"""`SlackSurface`: the core's `ChatSurface` port on Slack (post a reply, replace it).

`post` sends a reply into a channel or thread through the `Poster` (Block
Kit, long output uploaded as a file, chart images into the message's thread)
and answers with where it landed: channel, ts, the workspace and the thread,
as a `PostedRef`; `update` replaces that message (`chat.update`). The core's
cards, progress notes and notices reach Slack only through here. A failed
call is logged by the poster and reported as None / False, never raised.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.models import Reply
from bot.domain.ports import Place, PostedRef

from .cards import CardRef
from .directory import PLATFORM
from .poster import Poster


class SlackSurface:
    def __init__(self, poster: Poster, *, team_id: Callable[[], str | None]) -> None:
        self._poster = poster
        self._team_id = team_id

    @property
    def platform(self) -> str:
        return PLATFORM

    async def post(self, reply: Reply, *, place: Place) -> PostedRef | None:
        ts = await self._poster.post(reply, channel=place.channel, thread=place.thread)
        if ts is None:
            return None
        return CardRef(place.channel, ts, self._team_id(), place.thread).to_posted()

    async def update(self, ref: PostedRef, reply: Reply) -> bool:
        card = CardRef.from_posted(ref)
        return card is not None and await self._poster.update(reply, channel=card.channel, ts=card.ts)
