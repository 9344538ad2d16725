"""Leadership among replicas: one PostgreSQL session-level advisory lock, held on one connection.

The replica whose connection holds the lock is the leader; if that process
dies or its connection breaks, PostgreSQL releases the lock and another
replica wins it at its next attempt. SQLite serves one process, which always
leads. This module only answers "am I the leader now?"; what a leader does
(sweeps) is decided by the caller.
"""

from __future__ import annotations

import contextlib
import hashlib

from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.database import Database


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (PostgreSQL advisory keys are bigint)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Leadership:
    def __init__(self, database: Database, *, name: str = "chatops.sweeper") -> None:
        self._database = database
        self._key = lock_key(name)
        self._conn: AsyncConnection | None = None

    @property
    def holds(self) -> bool:
        return self._database.is_sqlite or self._conn is not None

    async def is_leader(self) -> bool:
        """Try to take (or confirm) the lock; False on any database trouble (never raises)."""
        if self._database.is_sqlite:
            return True
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT 1"))
                return True
            except (exc.SQLAlchemyError, OSError, TimeoutError):
                await self._drop()
                return False
        try:
            conn = await self._database.async_engine.connect()
        except (exc.SQLAlchemyError, OSError, TimeoutError):
            return False
        try:
            conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            won = (
                await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})
            ).scalar_one()
        except (exc.SQLAlchemyError, OSError, TimeoutError):
            await _discard(conn)
            return False
        if not won:
            await conn.close()
            return False
        self._conn = conn
        return True

    async def release(self) -> None:
        """Give the lock up (at shutdown) so another replica leads without waiting."""
        if self._conn is None:
            return
        conn, self._conn = self._conn, None
        try:
            await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            await conn.close()
        except (exc.SQLAlchemyError, OSError, TimeoutError):
            await _discard(conn)

    async def _drop(self) -> None:
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await _discard(conn)


async def _discard(conn: AsyncConnection) -> None:
    # Never hand a connection that may hold the lock back to the pool: close it for good.
    with contextlib.suppress(exc.SQLAlchemyError, OSError, TimeoutError):
        await conn.invalidate()
    with contextlib.suppress(exc.SQLAlchemyError, OSError, TimeoutError):
        await conn.close()
