"""`ConsoleSurface`: the core's `ChatSurface` port on a terminal (or piped stdout).

A terminal cannot edit what it printed, so `update` prints the new version of
a message (a progress note, a card with its outcome); `post` prints a reply
and saves the files it carries (chart images) where `save_files` keeps them.
Everything goes through `say()`, control characters shown, never executed.
The refs it hands out only number its messages.
"""

from __future__ import annotations

import itertools
from typing import TextIO

from bot.adapters.console.output import PREFIX, as_text, save_files, say
from bot.domain.models import Reply
from bot.domain.ports import Place, PostedRef

PLATFORM = "console"


class ConsoleSurface:
    def __init__(self, out: TextIO) -> None:
        self._out = out
        self._numbers = itertools.count(1)

    @property
    def platform(self) -> str:
        return PLATFORM

    async def post(self, reply: Reply, *, place: Place) -> PostedRef | None:
        self._print(reply)
        return PostedRef(PLATFORM, {"message": str(next(self._numbers))})

    async def update(self, ref: PostedRef, reply: Reply) -> bool:
        self._print(reply)
        return True

    def _print(self, reply: Reply) -> None:
        say(self._out, as_text(reply))
        for path in save_files(reply):
            say(self._out, f"{PREFIX}saved {path}")
