"""One "working…" note per long-running change, edited in place as progress lines arrive.

The first line posts the note where the conversation about the change is
(the card's thread, else where it was asked), on the requester's platform;
later lines edit it, at most once per `min_interval_s` so a chatty operation
cannot hit a platform's rate limits (the last ten lines are shown). `close()`
edits it a last time ("Finished…", every line that arrived). Nothing here runs
or decides anything; lines arrive redacted from the executor.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable

from bot.conversation.delivery.cards import CardBoard
from bot.conversation.delivery.surfaces import SurfaceRegistry
from bot.domain.models import Reply
from bot.domain.outcomes import describe_call
from bot.domain.ports import PostedRef
from storage.records import ApprovalRecord

SHOWN_LINES = 10


@dataclasses.dataclass
class _Note:
    ref: PostedRef
    lines: list[str]
    edited_at: float


def note_reply(record: ApprovalRecord, lines: list[str], *, done: bool) -> Reply:
    head = "Finished" if done else "Working on"
    return Reply(
        f"{head} approval {record.id}: {describe_call(record.operation, record.args)}",
        code="\n".join(lines[-SHOWN_LINES:]) or None,
    )


class ProgressBoard:
    def __init__(
        self,
        surfaces: SurfaceRegistry,
        cards: CardBoard,
        *,
        min_interval_s: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._surfaces = surfaces
        self._cards = cards
        self._min_interval_s = min_interval_s
        self._clock = clock
        self._notes: dict[str, _Note] = {}

    async def progress(self, record: ApprovalRecord, line: str) -> None:
        surface = self._surfaces.get(record.requester_platform)
        if surface is None:
            return
        note = self._notes.get(record.id)
        if note is None:
            place = await self._cards.place_for(record)
            ref = await surface.post(note_reply(record, [line], done=False), place=place)
            if ref is not None:
                self._notes[record.id] = _Note(ref, [line], self._clock())
            return
        note.lines = [*note.lines, line][-SHOWN_LINES:]
        if self._clock() - note.edited_at >= self._min_interval_s:
            note.edited_at = self._clock()
            await surface.update(note.ref, note_reply(record, note.lines, done=False))

    async def close(self, record: ApprovalRecord) -> None:
        """The change is over: its note, if it has one, says so with its last lines."""
        note = self._notes.pop(record.id, None)
        surface = self._surfaces.get(record.requester_platform)
        if note is not None and surface is not None:
            await surface.update(note.ref, note_reply(record, note.lines, done=True))
