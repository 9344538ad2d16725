"""What the core needs from a chat platform: one `ChatSurface` per platform.

An adapter implements `ChatSurface` (post a reply, replace a message it posted)
and registers it with the core at start. Everything built on top of those two
calls lives once in the core: approval cards updated in place (the card index),
progress notes of long-running changes, follow-up notices, the expiry sweep,
alert and cluster-event cards. A surface renders and sends; it never decides.

`Place` says where to post (a channel and, optionally, a thread) and
`PostedRef` where a message landed. A `PostedRef`'s `data` is the surface's own
JSON-able description (Slack: channel + ts; Discord: channel id + message id;
Mattermost: post id): the core stores it and hands it back, never reads it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from bot.domain.models import Reply


@dataclasses.dataclass(frozen=True)
class Place:
    """A conversation on one platform: a channel and, optionally, a thread in it."""

    platform: str
    channel: str
    thread: str | None = None


@dataclasses.dataclass(frozen=True)
class PostedRef:
    """Where a surface put a message; only that surface reads `data`."""

    platform: str
    data: Mapping[str, str | None]


@runtime_checkable
class ChatSurface(Protocol):
    """One chat platform as the core sees it."""

    @property
    def platform(self) -> str:
        """The platform name that `Principal.platform` and `Place.platform` carry."""
        ...

    async def post(self, reply: Reply, *, place: Place) -> PostedRef | None:
        """Post `reply` at `place` (buttons, table, code and files included); None if it failed.

        A failed post is logged by the surface (never with a token) and not raised."""
        ...

    async def update(self, ref: PostedRef, reply: Reply) -> bool:
        """Replace a message this surface posted with `reply`; False if it could not."""
        ...
