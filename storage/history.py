"""Conversation history: what each user said and what the bot answered.

Rows are per platform, channel and thread, tagged with the user they belong
to (an assistant reply carries the user it answered), so the agent can read a
user's recent turns and a thread's conversation, and `forget` removes a
user's messages on request. Both reads are index range scans, newest first.
Callers redact secrets before appending; nothing here inspects content.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select

from storage.database import Database
from storage.errors import InvalidStorageInput
from storage.records import MessageRecord, NewMessage
from storage.tables import messages as t
from storage.types import utcnow

ROLES = frozenset({"user", "assistant", "tool", "system"})
MAX_LIMIT = 1000
_INSERT = insert(t)


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

    async def forget(self, *, platform: str, user_id: str) -> int:
        """Delete every message stored for the user; returns how many."""
        statement = delete(t).where(t.c.platform == platform, t.c.user_id == user_id)
        return await self.database.run(lambda conn: conn.execute(statement).rowcount, write=True)
