"""A `ChatSurface` for tests: records every post and update, and shows each message as it is now."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable

from bot.domain.models import Reply
from bot.domain.ports import Place, PostedRef


@dataclasses.dataclass(frozen=True)
class Posted:
    place: Place
    reply: Reply
    ref: PostedRef


class FakeSurface:
    def __init__(self, platform: str = "slack") -> None:
        self.platform = platform
        self.posts: list[Posted] = []
        self.updates: list[tuple[PostedRef, Reply]] = []
        self.failing = False  # True: every post and update fails, as a surface that lost its connection
        self._now: dict[str, Reply] = {}
        self._changed = asyncio.Condition()

    async def post(self, reply: Reply, *, place: Place) -> PostedRef | None:
        if self.failing:
            return None
        ref = PostedRef(self.platform, {"channel": place.channel, "ts": f"{len(self.posts) + 1}.000"})
        self.posts.append(Posted(place, reply, ref))
        self._now[str(ref.data["ts"])] = reply
        await self._notify()
        return ref

    async def update(self, ref: PostedRef, reply: Reply) -> bool:
        if self.failing or str(ref.data["ts"]) not in self._now:
            return False
        self.updates.append((ref, reply))
        self._now[str(ref.data["ts"])] = reply
        await self._notify()
        return True

    def messages(self, channel: str | None = None) -> list[Reply]:
        """Every message posted (in `channel`), as it reads now."""
        return [self._now[str(p.ref.data["ts"])] for p in self.posts if channel in (None, p.place.channel)]

    def field(self, reply: Reply, name: str) -> str | None:
        return next((f.value for f in reply.fields if f.name == name), None)

    async def wait_for(self, done: Callable[[FakeSurface], bool], *, timeout: float = 15.0) -> None:
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(lambda: done(self))

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
