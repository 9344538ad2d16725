"""Processed chat event ids: each delivery is handled once.

Slack and Discord redeliver events; adapters claim an event id before acting
on it. The claim is an insert against a primary key, so the first claimer
wins across processes and replicas, and a duplicate returns False instead of
raising. This module does not decide what an event means.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import delete

from storage.database import Database, insert_for
from storage.tables import processed_events as t
from storage.types import to_utc, utcnow


@dataclasses.dataclass(frozen=True)
class Events:
    database: Database

    async def claim(self, *, platform: str, event_id: str) -> bool:
        """True only for the first claim of (platform, event_id), ever (until pruned)."""
        statement = (
            insert_for(self.database, t)
            .values(platform=platform, event_id=event_id, claimed_at=utcnow())
            .on_conflict_do_nothing(index_elements=["platform", "event_id"])
        )
        return await self.database.run(lambda conn: conn.execute(statement).rowcount == 1, write=True)

    async def prune(self, older_than: dt.datetime) -> int:
        """Forget claims older than `older_than`; returns how many went."""
        statement = delete(t).where(t.c.claimed_at < to_utc(older_than))
        return await self.database.run(lambda conn: conn.execute(statement).rowcount, write=True)
