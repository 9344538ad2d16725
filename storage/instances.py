"""Running bot processes and their leases.

Each process registers one row under a unique id (host, pid, start, random)
and renews `lease_until` while it lives; a clean stop removes it. The core
asks which owners are still live before it reconciles an approval a process
left behind. This module keeps rows; it decides nothing about liveness.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection

from sqlalchemy import Connection, delete, insert, select, update

from storage.database import Database
from storage.tables import instances as t
from storage.types import to_utc


@dataclasses.dataclass(frozen=True)
class InstanceRecord:
    id: str
    host: str
    pid: int
    started_at: dt.datetime
    lease_until: dt.datetime


@dataclasses.dataclass(frozen=True)
class Instances:
    database: Database

    async def register(self, record: InstanceRecord) -> None:
        values = dataclasses.asdict(record)
        values.update(started_at=to_utc(record.started_at), lease_until=to_utc(record.lease_until))

        def _register(conn: Connection) -> None:
            conn.execute(delete(t).where(t.c.id == record.id))
            conn.execute(insert(t).values(values))

        await self.database.run(_register, write=True)

    async def renew(self, instance_id: str, lease_until: dt.datetime) -> bool:
        """Extend the lease; False when the row is gone (someone removed this process)."""
        statement = update(t).where(t.c.id == instance_id).values(lease_until=to_utc(lease_until))
        count = await self.database.run(lambda conn: conn.execute(statement).rowcount, write=True)
        return bool(count)

    async def remove(self, instance_id: str) -> None:
        statement = delete(t).where(t.c.id == instance_id)
        await self.database.run(lambda conn: conn.execute(statement), write=True)

    async def find(self, ids: Collection[str]) -> dict[str, InstanceRecord]:
        if not ids:
            return {}
        query = select(t).where(t.c.id.in_(sorted(ids)))

        def _find(conn: Connection) -> dict[str, InstanceRecord]:
            return {
                row.id: InstanceRecord(row.id, row.host, row.pid, row.started_at, row.lease_until)
                for row in conn.execute(query)
            }

        return await self.database.run(_find, write=False)
