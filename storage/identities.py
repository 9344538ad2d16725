"""Chat identities the bot has seen: platform user id, display name, first/last seen.

One row per (platform, user id), refreshed on every message so audit views
and approval cards can show a current name. This module maps nothing to
Kubernetes users or roles; that is configuration the core reads.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from storage.database import Database, insert_for
from storage.tables import identities as t
from storage.types import utcnow


@dataclasses.dataclass(frozen=True)
class Identities:
    database: Database

    async def upsert(self, *, platform: str, user_id: str, display_name: str) -> None:
        now = utcnow()
        statement = insert_for(self.database, t).values(
            platform=platform, user_id=user_id, display_name=display_name, first_seen=now, last_seen=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "user_id"],
            set_={"display_name": statement.excluded.display_name, "last_seen": statement.excluded.last_seen},
        )
        await self.database.run(lambda conn: conn.execute(statement), write=True)

    async def display_name(self, *, platform: str, user_id: str) -> str | None:
        query = select(t.c.display_name).where(t.c.platform == platform, t.c.user_id == user_id)
        return await self.database.run(lambda conn: conn.execute(query).scalar_one_or_none(), write=False)
