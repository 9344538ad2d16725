"""Where each cluster watch resumes: the last resourceVersion the leader handled, per watch.

Saved after what came before it was handled, so a new leader resumes there:
whatever it replays is recognised by the signals (no duplicate), and nothing
after it was skipped (no loss). Storage does not interpret the version.
"""

from __future__ import annotations

import dataclasses

from sqlalchemy import select

from storage.database import Database, insert_for
from storage.tables import watch_positions as t
from storage.types import utcnow


@dataclasses.dataclass(frozen=True)
class WatchPositions:
    database: Database

    async def load(self, cluster: str) -> dict[str, str]:
        """Watch name (`pods`, `events@prod`) → resourceVersion, for one cluster."""
        query = select(t.c.resource, t.c.resource_version).where(t.c.cluster == cluster)
        rows = await self.database.run(lambda conn: conn.execute(query).all(), write=False)
        return {row.resource: row.resource_version for row in rows}

    async def save(self, cluster: str, resource: str, resource_version: str) -> None:
        now = utcnow()
        statement = insert_for(self.database, t).values(
            cluster=cluster, resource=resource, resource_version=resource_version, updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=["cluster", "resource"],
            set_={"resource_version": statement.excluded.resource_version, "updated_at": now},
        )
        await self.database.run(lambda conn: conn.execute(statement), write=True)
