"""The chat surfaces of this process: one per platform, registered by its adapter at start.

An adapter calls `register(surface)` once it can post, and `unregister(surface)`
when it stops; the core's delivery services look a platform's surface up here
and say nothing where none is registered (a test or a tool without a chat). A
surface registered again for the same platform replaces the one before;
`unregister` removes only the surface it is given.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from bot.domain.ports import ChatSurface

log = logging.getLogger(__name__)


class SurfaceRegistry:
    def __init__(self) -> None:
        self._surfaces: dict[str, ChatSurface] = {}

    def register(self, surface: ChatSurface) -> None:
        known = self._surfaces.get(surface.platform)
        if known is not None and known is not surface:
            log.info("a new %s surface replaces the one registered before", surface.platform)
        self._surfaces[surface.platform] = surface

    def unregister(self, surface: ChatSurface) -> None:
        if self._surfaces.get(surface.platform) is surface:
            del self._surfaces[surface.platform]

    def get(self, platform: str) -> ChatSurface | None:
        return self._surfaces.get(platform)

    def __iter__(self) -> Iterator[ChatSurface]:
        return iter(list(self._surfaces.values()))
