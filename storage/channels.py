"""Per-channel defaults: the cluster and namespace a channel's commands target.

Set with a command in the channel and read on every request, so a bare
`!pods` knows where to look. Only the setting passed changes; the other is
kept. This module does not check that the cluster or namespace exist.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any

from sqlalchemy import select

from storage.database import Database, insert_for
from storage.records import ChannelSettings
from storage.tables import channel_settings as t
from storage.types import utcnow


class Keep(enum.Enum):
    """Marks a setting the caller does not change (None means "clear it")."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclasses.dataclass(frozen=True)
class Channels:
    database: Database

    async def get(self, *, platform: str, channel: str) -> ChannelSettings | None:
        query = select(t.c.platform, t.c.channel, t.c.cluster, t.c.namespace).where(
            t.c.platform == platform, t.c.channel == channel
        )
        row = await self.database.run(lambda conn: conn.execute(query).first(), write=False)
        return None if row is None else ChannelSettings(**row._mapping)

    async def set(
        self,
        *,
        platform: str,
        channel: str,
        cluster: str | Keep | None = KEEP,
        namespace: str | Keep | None = KEEP,
    ) -> ChannelSettings:
        given: dict[str, Any] = {
            name: value
            for name, value in (("cluster", cluster), ("namespace", namespace))
            if value is not KEEP
        }
        now = utcnow()
        statement = insert_for(self.database, t).values(
            platform=platform,
            channel=channel,
            cluster=given.get("cluster"),
            namespace=given.get("namespace"),
            updated_at=now,
        )
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "channel"],
            set_={**{name: getattr(statement.excluded, name) for name in given}, "updated_at": now},
        )
        returning = statement.returning(t.c.platform, t.c.channel, t.c.cluster, t.c.namespace)
        row = await self.database.run(lambda conn: conn.execute(returning).one(), write=True)
        return ChannelSettings(**row._mapping)
