"""Where each platform posted an approval's card, so it can be updated in place after a restart.

The reference is the adapter's own (channel and message id or ts) as a small
JSON object; storage does not interpret it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from storage.database import Database, insert_for
from storage.tables import approval_cards as t
from storage.types import utcnow


@dataclasses.dataclass(frozen=True)
class Cards:
    database: Database

    async def remember(self, *, approval_id: str, platform: str, ref: Mapping[str, Any]) -> None:
        now = utcnow()
        statement = insert_for(self.database, t).values(
            approval_id=approval_id, platform=platform, ref=dict(ref), updated_at=now
        )
        statement = statement.on_conflict_do_update(
            index_elements=["approval_id", "platform"],
            set_={"ref": statement.excluded.ref, "updated_at": now},
        )
        await self.database.run(lambda conn: conn.execute(statement), write=True)

    async def lookup(self, *, approval_id: str, platform: str) -> dict[str, Any] | None:
        query = select(t.c.ref).where(t.c.approval_id == approval_id, t.c.platform == platform)
        ref = await self.database.run(lambda conn: conn.execute(query).scalar_one_or_none(), write=False)
        return dict(ref) if isinstance(ref, dict) else None
