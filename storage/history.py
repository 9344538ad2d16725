"""Conversation history: what each user said and what the bot answered.

Rows are per platform, channel and thread, tagged with the user they belong
to (an assistant reply carries the user it answered), so the agent can read a
user's recent turns and a thread's conversation, and `forget` removes a
user's messages on request. The reads are index range scans, newest first; the agent's
`window` returns one user's rows without their text, and in full only those the caller has not read.
Callers redact secrets before appending; nothing here inspects content.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, String, bindparam, cast, delete, insert, select

from storage.database import Database
from storage.errors import InvalidStorageInput
from storage.records import HistoryWindow, MessageHead, MessageRecord, NewMessage
from storage.tables import messages as t
from storage.types import utcnow

ROLES = frozenset({"user", "assistant", "tool", "system"})
MAX_LIMIT = 1000
_INSERT = insert(t)
_BY_IDS = select(t).where(t.c.id.in_(bindparam("ids", expanding=True))).order_by(t.c.id)
# The newest rows of a conversation (built once for each kind of place: in a thread, outside any),
# then one user's among them: id and the time written as the database spells it.
_NEWEST = select(t.c.id, t.c.user_id, t.c.role, cast(t.c.created_at, String).label("stamp"))
_IN_CONVERSATION = (t.c.platform == bindparam("platform"), t.c.channel == bindparam("channel"))


def _own_heads(newest: Select[Any]) -> Select[Any]:
    window = newest.order_by(t.c.id.desc()).limit(bindparam("n")).subquery()
    return (
        select(window.c.id, window.c.stamp)
        .where(
            window.c.user_id == bindparam("user_id"), window.c.role.in_(bindparam("roles", expanding=True))
        )
        .order_by(window.c.id)
    )


_HEADS_IN_THREAD = _own_heads(_NEWEST.where(*_IN_CONVERSATION, t.c.thread == bindparam("thread")))
_HEADS_OUTSIDE_THREADS = _own_heads(_NEWEST.where(*_IN_CONVERSATION, t.c.thread.is_(None)))


def _to_record(row: Row[Any]) -> MessageRecord:
    return MessageRecord(**row._mapping)


def _clamp(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


def message_values(message: NewMessage) -> dict[str, Any]:
    """One history row's column values, checked."""
    if message.role not in ROLES:
        raise InvalidStorageInput(
            f"message role {message.role!r} is unknown; use one of {', '.join(sorted(ROLES))}"
        )
    return {**dataclasses.asdict(message), "created_at": utcnow()}


def messages_writer(messages: Sequence[NewMessage]) -> Callable[[Connection], None]:
    """The insert of several messages, in order, as one statement, to run inside another
    transaction (the audit's)."""
    rows = [message_values(m) for m in messages]

    def write(conn: Connection) -> None:
        if rows:
            conn.execute(_INSERT, rows)

    return write


@dataclasses.dataclass(frozen=True)
class History:
    database: Database

    async def append(self, message: NewMessage) -> int:
        statement = insert(t).values(message_values(message)).returning(t.c.id)
        return await self.database.run(lambda conn: int(conn.execute(statement).scalar_one()), write=True)

    async def recent_for_user(self, *, platform: str, user_id: str, limit: int = 20) -> list[MessageRecord]:
        """The user's newest messages, newest first."""
        query = (
            select(t)
            .where(t.c.platform == platform, t.c.user_id == user_id)
            .order_by(t.c.id.desc())
            .limit(_clamp(limit))
        )
        return await self.database.run(lambda conn: [_to_record(r) for r in conn.execute(query)], write=False)

    async def conversation(
        self, *, platform: str, channel: str, thread: str | None, limit: int = 50
    ) -> list[MessageRecord]:
        """The newest `limit` messages of a channel or thread, oldest first."""
        in_thread = t.c.thread.is_(None) if thread is None else t.c.thread == thread
        query = (
            select(t)
            .where(t.c.platform == platform, t.c.channel == channel, in_thread)
            .order_by(t.c.id.desc())
            .limit(_clamp(limit))
        )
        rows = await self.database.run(lambda conn: [_to_record(r) for r in conn.execute(query)], write=False)
        return rows[::-1]

    async def window(
        self,
        *,
        platform: str,
        channel: str,
        thread: str | None,
        user_id: str,
        roles: Collection[str],
        limit: int,
        known: Mapping[int, str],
    ) -> HistoryWindow:
        """`user_id`'s rows with a role in `roles` among the newest `limit` of a conversation.

        Each comes as a head (id, time written), oldest first; in full only those `known`
        (id → stamp) does not hold, so a reader that keeps what it read fetches
        each row once, and still learns of every row deleted or added since.
        """
        query = _HEADS_OUTSIDE_THREADS if thread is None else _HEADS_IN_THREAD
        params = {
            "platform": platform,
            "channel": channel,
            "thread": thread,
            "n": _clamp(limit),
            "user_id": user_id,
            "roles": sorted(roles),
        }

        def read(conn: Connection) -> HistoryWindow:
            heads = tuple(MessageHead(id=row[0], stamp=row[1]) for row in conn.execute(query, params).all())
            missing = [h.id for h in heads if known.get(h.id) != h.stamp]
            new = [_to_record(r) for r in conn.execute(_BY_IDS, {"ids": missing})] if missing else []
            return HistoryWindow(heads=heads, new=tuple(new))

        return await self.database.run(read, write=False)

    async def forget(self, *, platform: str, user_id: str) -> int:
        """Delete every message stored for the user; returns how many."""
        statement = delete(t).where(t.c.platform == platform, t.c.user_id == user_id)
        return await self.database.run(lambda conn: conn.execute(statement).rowcount, write=True)
