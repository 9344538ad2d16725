"""Progress and completion of long-running approved changes asked for on Discord.

Plugged into the executor's `progress_sink` and `notice` in front of whoever
was hooked before (the Slack adapter, say): approvals requested on another
platform pass straight through to that previous hook. For Discord ones, one
"working on…" message per approval is posted in the approval's conversation
and edited as lines arrive (throttled, to stay within rate limits); at the end
it is edited a last time, the card is updated in place through its channel
(the interaction token may be long gone) and the result is posted. Nothing
here runs or decides anything.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Awaitable, Callable

from bot.domain.models import Reply, ReplyKind
from bot.domain.outcomes import describe_call
from bot.domain.replies import approval_card
from storage.records import ApprovalRecord

from .cards import CardRef
from .convert import PLATFORM
from .poster import Poster

NoticeFn = Callable[[ApprovalRecord, str], Awaitable[None]]
SHOWN_LINES = 10


@dataclasses.dataclass
class _Note:
    ref: CardRef
    lines: list[str]
    edited_at: float


def conversation_of(record: ApprovalRecord) -> int:
    return int(record.thread or record.channel)


class ProgressBoard:
    def __init__(
        self,
        poster: Poster,
        *,
        fallback_progress: NoticeFn,
        fallback_notice: NoticeFn,
        min_interval_s: float = 1.5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._poster = poster
        self._fallback_progress = fallback_progress
        self._fallback_notice = fallback_notice
        self._min_interval_s = min_interval_s
        self._clock = clock
        self._notes: dict[str, _Note] = {}

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
            channel_id = conversation_of(record)
            message = await self._poster.post(self._reply(record, [line], done=False), channel_id=channel_id)
            if message is not None:
                self._notes[record.id] = _Note(CardRef(channel_id, message.id), [line], self._clock())
            return
        note.lines = [*note.lines, line][-SHOWN_LINES:]
        if self._clock() - note.edited_at >= self._min_interval_s:
            note.edited_at = self._clock()
            await self._poster.edit(self._reply(record, note.lines, done=False), ref=note.ref)

    async def notice(self, record: ApprovalRecord, text: str) -> None:
        if record.requester_platform != PLATFORM:
            await self._fallback_notice(record, text)
            return
        channel_id = conversation_of(record)
        note = self._notes.pop(record.id, None)
        if note is not None:
            await self._poster.edit(self._reply(record, note.lines, done=True), ref=note.ref)
        await self._poster.show_card(approval_card(record), channel_id=channel_id)
        kind = ReplyKind.RESULT if record.result_status == "ok" else ReplyKind.ERROR
        await self._poster.post(Reply(text, kind=kind), channel_id=channel_id)
