"""Progress of long-running approved changes: one "working…" note per approval, edited in place.

Plugged into the executor's `progress_sink` and `notice` for approvals asked
for on Slack (others pass through to whoever was hooked before). Edits are
throttled so a chatty operation cannot hit Slack's rate limits; the final
notice always lands, and the card is updated with the outcome. Nothing here
runs or decides anything.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable

from bot.domain.models import Reply, ReplyKind
from bot.domain.outcomes import describe_call
from bot.domain.replies import approval_card
from storage.records import ApprovalRecord

from .cards import CardIndex
from .directory import PLATFORM
from .poster import Poster

NoticeFn = Callable[[ApprovalRecord, str], Awaitable[None]]
SHOWN_LINES = 10


@dataclasses.dataclass
class _Note:
    channel: str
    ts: str
    lines: list[str]
    edited_at: float


class ProgressBoard:
    def __init__(
        self,
        poster: Poster,
        cards: CardIndex,
        *,
        fallback_progress: NoticeFn,
        fallback_notice: NoticeFn,
        min_interval_s: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._poster = poster
        self._cards = cards
        self._fallback_progress = fallback_progress
        self._fallback_notice = fallback_notice
        self._min_interval_s = min_interval_s
        self._clock = clock
        self._notes: dict[str, _Note] = {}

    async def _where(self, record: ApprovalRecord) -> tuple[str, str | None]:
        ref = await self._cards.lookup(record.id)
        return (ref.channel, ref.thread) if ref is not None else (record.channel, record.thread)

    def _reply(self, record: ApprovalRecord, lines: list[str], *, done: bool) -> Reply:
        head = "Finished" if done else "Working on"
        return Reply(
            f"{head} approval {record.id}: {describe_call(record.operation, record.args)}",
            code="\n".join(lines[-SHOWN_LINES:]) or None,
        )

    async def progress(self, record: ApprovalRecord, line: str) -> None:
        if record.requester_platform != PLATFORM:
            await self._fallback_progress(record, line)
            return
        note = self._notes.get(record.id)
        if note is None:
            channel, thread = await self._where(record)
            ts = await self._poster.post(
                self._reply(record, [line], done=False), channel=channel, thread=thread
            )
            if ts is not None:
                self._notes[record.id] = _Note(channel, ts, [line], self._clock())
            return
        note.lines = [*note.lines, line][-SHOWN_LINES:]
        if self._clock() - note.edited_at >= self._min_interval_s:
            note.edited_at = self._clock()
            await self._poster.update(
                self._reply(record, note.lines, done=False), channel=note.channel, ts=note.ts
            )

    async def notice(self, record: ApprovalRecord, text: str) -> None:
        if record.requester_platform != PLATFORM:
            await self._fallback_notice(record, text)
            return
        channel, thread = await self._where(record)
        note = self._notes.pop(record.id, None)
        if note is not None:
            await self._poster.update(
                self._reply(record, note.lines, done=True), channel=note.channel, ts=note.ts
            )
        await self._poster.show_card(approval_card(record), channel=channel, thread=thread)
        kind = ReplyKind.RESULT if record.result_status == "ok" else ReplyKind.ERROR
        await self._poster.post(Reply(text, kind=kind), channel=channel, thread=thread)
