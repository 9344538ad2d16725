"""A chat platform in memory: a `ChatSurface` that records every post and update.

It stands for the platform itself (its messages outlive a bot restart), so a
test may register the same surface with a second app. `update` of a message
it never posted answers False, like a platform whose message was deleted.
Tests wait for what they expect with `wait_for`, never for quiet time.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
from collections.abc import Callable
from typing import Literal, TypeVar

from bot.domain.models import Reply, ReplyKind
from bot.domain.ports import Place, PostedRef

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class Sent:
    action: Literal["post", "update"]
    reply: Reply
    ref: PostedRef
    place: Place | None = None  # where a post went

    @property
    def text(self) -> str:
        return "\n".join(part for part in (self.reply.text, self.reply.code or "") if part)


class RecordingSurface:
    def __init__(self, platform: str = "console") -> None:
        self._platform = platform
        self.sent: list[Sent] = []
        self.messages: dict[str, Reply] = {}  # message id → what it shows now
        self._numbers = itertools.count(1)
        self._changed = asyncio.Condition()

    @property
    def platform(self) -> str:
        return self._platform

    async def post(self, reply: Reply, *, place: Place) -> PostedRef | None:
        assert place.platform == self._platform, place
        ref = PostedRef(self._platform, {"id": str(next(self._numbers)), "channel": place.channel})
        self.messages[str(ref.data["id"])] = reply
        await self._record(Sent("post", reply, ref, place))
        return ref

    async def update(self, ref: PostedRef, reply: Reply) -> bool:
        key = str(ref.data.get("id"))
        if ref.platform != self._platform or key not in self.messages:
            return False
        self.messages[key] = reply
        await self._record(Sent("update", reply, ref))
        return True

    async def _record(self, sent: Sent) -> None:
        async with self._changed:
            self.sent.append(sent)
            self._changed.notify_all()

    async def wait_for(self, found: Callable[[], T | None], timeout: float = 10.0) -> T:
        """Wait until `found()` gives something truthy (re-checked after each post or update)."""

        async def check() -> T:
            async with self._changed:
                while not (result := found()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(check(), timeout)

    # --- what was said ----------------------------------------------------------------------
    def posts(self) -> list[Sent]:
        return [s for s in self.sent if s.action == "post"]

    def updates(self) -> list[Sent]:
        return [s for s in self.sent if s.action == "update"]

    def cards(self, approval_id: str) -> list[Sent]:
        return [s for s in self.sent if s.reply.approval_id == approval_id]

    def notices(self) -> list[str]:
        """Texts posted as a result or an error (a notice's last word), in order."""
        kinds = (ReplyKind.RESULT, ReplyKind.ERROR)
        return [s.reply.text for s in self.posts() if s.reply.kind in kinds and s.reply.approval_id is None]
