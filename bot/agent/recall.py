"""Memory read once per row: each conversation's rows kept between turns as messages with their cost.

A stored row never changes, so its model message and token counts are
worked out once, the first time it is read. Every turn still asks the store
which of the user's rows are in the conversation now (ids and when each was
written, not their text), so a row deleted anywhere (`!forget`, another
replica) is never sent again, a row another replica added is read, and a
row SQLite wrote under a deleted row's id is not mistaken for it. Only rows
this process has not read yet come back in full: a turn reads the rows
added since the last one, not the whole conversation.

What is selected is exactly what reading every row would select: the
newest rows within `memory_tokens`, starting with the person, with a note
of how many were left out. Rows older than the budget's reach keep only
their cost; if one is needed again (rows newer than it were deleted) it is
read again. At most `CONVERSATIONS` conversations are kept, the least
recently used leave first. Nothing here redacts (rows were redacted when
stored) or calls the model.
"""

from __future__ import annotations

import collections
import dataclasses

from langchain_core.messages import AnyMessage

from bot.agent.memory import (
    HISTORY_ROWS,
    NOTE_TOKENS,
    ROLES,
    Memory,
    estimate_tokens,
    left_out_note,
    message_tokens,
    to_message,
)
from bot.domain.models import Principal
from storage.records import HistoryWindow, MessageHead
from storage.store import Store

CONVERSATIONS = 256
Key = tuple[str, str, str | None, str]  # platform, channel, thread, user


@dataclasses.dataclass(frozen=True)
class _Row:
    stamp: str  # when it was written, as the store spells it (ids can be reused)
    role: str
    tokens: int  # the row's cost against the memory budget
    content: str | None  # None: beyond the budget's reach when last read; only its cost is kept
    message: AnyMessage | None = None  # built the first time the row is sent
    cost: int = 0  # message_tokens(message)


@dataclasses.dataclass(frozen=True)
class _Pick:
    kept: list[int]  # ids, oldest first
    dropped: int
    reach: int  # index in heads of the oldest row whose text is kept


class ConversationMemory:
    def __init__(self, store: Store, *, budget_tokens: int, conversations: int = CONVERSATIONS) -> None:
        self._store = store
        self._budget = max(0, budget_tokens - NOTE_TOKENS)
        self._max = conversations
        self._rows: collections.OrderedDict[Key, dict[int, _Row]] = collections.OrderedDict()

    async def load(
        self, *, principal: Principal, channel: str, thread: str | None, current: str | None = None
    ) -> Memory:
        """The user's earlier turns here, within the budget; `current` is left out if stored last."""
        key: Key = (principal.platform, channel, thread, principal.user_id)
        rows = self._rows.get(key, {})
        window, rows, pick = await self._read(principal, channel, thread, rows, current)
        newest = [window.heads[-1].id] if current is not None and window.heads else []
        if any(rows[i].content is None for i in [*pick.kept, *newest]):
            # Rows newer than one kept only by its cost were deleted: read its text again.
            rows = {i: r for i, r in rows.items() if r.content is not None}
            window, rows, pick = await self._read(principal, channel, thread, rows, current)
        memory, rows = _to_memory(window.heads, rows, pick)
        self._remember(key, rows)
        return memory

    async def _read(
        self,
        principal: Principal,
        channel: str,
        thread: str | None,
        rows: dict[int, _Row],
        current: str | None,
    ) -> tuple[HistoryWindow, dict[int, _Row], _Pick]:
        window = await self._store.conversation_window(
            platform=principal.platform,
            channel=channel,
            thread=thread,
            user_id=principal.user_id,
            roles=ROLES,
            limit=HISTORY_ROWS,
            known={i: r.stamp for i, r in rows.items()},
        )
        rows = _merge(rows, window)
        return window, rows, self._pick(window.heads, rows, current)

    def _pick(self, heads: tuple[MessageHead, ...], rows: dict[int, _Row], current: str | None) -> _Pick:
        own = list(heads)
        if current is not None and own:
            last = rows[own[-1].id]
            if last.role == "user" and last.content == current:
                own.pop()
        kept: list[int] = []
        used = 0
        reach = 0
        for index in range(len(own) - 1, -1, -1):
            row = rows[own[index].id]
            reach = index
            if used + row.tokens > self._budget:
                break
            kept.append(own[index].id)
            used += row.tokens
        # A conversation shown to the model starts with the person, not with a reply.
        while kept and rows[kept[-1]].role != "user":
            kept.pop()
        kept.reverse()
        return _Pick(kept=kept, dropped=len(own) - len(kept), reach=reach)

    def _remember(self, key: Key, rows: dict[int, _Row]) -> None:
        self._rows[key] = rows
        self._rows.move_to_end(key)
        while len(self._rows) > self._max:
            self._rows.popitem(last=False)


def _merge(rows: dict[int, _Row], window: HistoryWindow) -> dict[int, _Row]:
    """The rows of the window: those read before as they were, the new ones worked out now."""
    new = {record.id: record for record in window.new}
    merged: dict[int, _Row] = {}
    for head in window.heads:
        record = new.get(head.id)
        merged[head.id] = (
            rows[head.id]
            if record is None
            else _Row(
                stamp=head.stamp,
                role=record.role,
                tokens=estimate_tokens(record.content),
                content=record.content,
            )
        )
    return merged


def _to_memory(
    heads: tuple[MessageHead, ...], rows: dict[int, _Row], pick: _Pick
) -> tuple[Memory, dict[int, _Row]]:
    """The messages of the rows picked (built once per row), and the rows to keep for next time."""
    kept = set(pick.kept)
    messages: list[AnyMessage] = []
    costs: list[int] = []
    tokens = 0
    keep: dict[int, _Row] = {}
    for index, head in enumerate(heads):
        row = rows[head.id]
        if head.id in kept:
            message = row.message
            if message is None:  # a picked row has its text (`load` read it again if not)
                message = to_message(row.role, row.content or "")
                row = dataclasses.replace(row, message=message, cost=message_tokens(message))
            messages.append(message)
            costs.append(row.cost)
            tokens += row.tokens
        elif index < pick.reach and row.content is not None:
            row = dataclasses.replace(row, content=None, message=None, cost=0)
        keep[head.id] = row
    if pick.dropped and messages:
        note = left_out_note(pick.dropped)
        messages.insert(0, note)
        costs.insert(0, message_tokens(note))
    return Memory(tuple(messages), pick.dropped, tokens, tuple(costs)), keep
