"""Watch subscriptions made in chat: one row per (platform, channel, cluster, namespace).

`subscribe()` inserts or replaces a place's subscription for one cluster and
namespace ("" = every namespace) with the kinds and reasons it keeps (empty =
all); `unsubscribe()` removes it. The leader reads `all()` on its rounds, so a
subscription made on any replica takes effect there. Storage does not check
that the namespace, kinds or reasons exist, nor who may subscribe.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, delete, select

from storage.alert_records import WatchSubscription
from storage.database import Database, insert_for
from storage.tables import watch_subscriptions as t
from storage.types import utcnow


def _record(row: Row[Any]) -> WatchSubscription:
    m = row._mapping
    return WatchSubscription(
        platform=m["platform"],
        channel=m["channel"],
        cluster=m["cluster"],
        namespace=m["namespace"],
        kinds=tuple(m["kinds"]),
        reasons=tuple(m["reasons"]),
        created_by=m["created_by"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )


@dataclasses.dataclass(frozen=True)
class WatchSubscriptions:
    database: Database

    async def subscribe(
        self,
        *,
        platform: str,
        channel: str,
        cluster: str,
        namespace: str,
        kinds: Sequence[str],
        reasons: Sequence[str],
        created_by: str,
    ) -> WatchSubscription:
        """Subscribe the place (again: its kinds and reasons are replaced, `created_*` kept)."""
        now = utcnow()
        statement = insert_for(self.database, t).values(
            platform=platform,
            channel=channel,
            cluster=cluster,
            namespace=namespace,
            kinds=sorted(set(kinds)),
            reasons=sorted(set(reasons)),
            created_by=created_by,
            created_at=now,
            updated_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "channel", "cluster", "namespace"],
            set_={
                "kinds": statement.excluded.kinds,
                "reasons": statement.excluded.reasons,
                "updated_at": now,
            },
        )
        row = await self.database.run(lambda conn: conn.execute(statement.returning(*t.c)).one(), write=True)
        return _record(row)

    async def unsubscribe(self, *, platform: str, channel: str, cluster: str, namespace: str) -> bool:
        """Remove the place's subscription; False when there was none."""
        statement = delete(t).where(
            t.c.platform == platform,
            t.c.channel == channel,
            t.c.cluster == cluster,
            t.c.namespace == namespace,
        )
        removed = await self.database.run(lambda conn: conn.execute(statement).rowcount, write=True)
        return bool(removed)

    async def for_place(self, *, platform: str, channel: str) -> list[WatchSubscription]:
        query = (
            select(t)
            .where(t.c.platform == platform, t.c.channel == channel)
            .order_by(t.c.cluster, t.c.namespace)
        )
        rows = await self.database.run(lambda conn: conn.execute(query).all(), write=False)
        return [_record(row) for row in rows]

    async def all(self) -> list[WatchSubscription]:
        query = select(t).order_by(t.c.platform, t.c.channel, t.c.cluster, t.c.namespace)
        rows = await self.database.run(lambda conn: conn.execute(query).all(), write=False)
        return [_record(row) for row in rows]
