"""Notification cards: one per (platform, channel, subject), posted once and then updated in place.

`claim()` decides who posts a card: the first caller inserts the row (`NEW`)
and posts; others find it `POSTED` (update it) or `BUSY` (someone is posting
it now). A claim whose poster died before saving the reference is taken over
once it is older than `stale_after`, or as soon as its poster's instance lease
(`instances`) has lapsed. `posted()` saves the surface's
reference; `shown()` records what the card now says (count, state) with a
conditional update on `version`. Storage never reads the reference.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, select, update

from storage.alert_records import CardRecord, Claim
from storage.database import Database, insert_for
from storage.tables import instances
from storage.tables import notification_cards as t
from storage.types import to_utc, utcnow


def _alive(conn: Connection, owner: str) -> bool:
    """False when the claiming process's instance lease (`instances`) has lapsed: it was killed
    mid-post, so its card is taken over now rather than after `stale_after`. An owner with no
    lease row at all (a tool, a test) is taken at its word until `stale_after`."""
    query = select(instances.c.lease_until).where(instances.c.id == owner)
    lease_until = conn.execute(query).scalar_one_or_none()
    return lease_until is None or lease_until > utcnow()


def _record(row: Row[Any]) -> CardRecord:
    m = row._mapping
    return CardRecord(
        platform=m["platform"],
        channel=m["channel"],
        subject=m["subject"],
        ref=dict(m["ref"]) if m["ref"] is not None else None,
        count=m["count"],
        state=m["state"],
        version=m["version"],
        claimed_by=m["claimed_by"],
        claimed_at=m["claimed_at"],
        posted_at=m["posted_at"],
    )


@dataclasses.dataclass(frozen=True)
class Notifications:
    database: Database

    @staticmethod
    def _key(platform: str, channel: str, subject: str) -> Any:
        return and_(t.c.platform == platform, t.c.channel == channel, t.c.subject == subject)

    async def get(self, *, platform: str, channel: str, subject: str) -> CardRecord | None:
        query = select(t).where(self._key(platform, channel, subject))
        row = await self.database.run(lambda conn: conn.execute(query).first(), write=False)
        return None if row is None else _record(row)

    async def claim(
        self, *, platform: str, channel: str, subject: str, owner: str, stale_after: dt.timedelta
    ) -> tuple[Claim, CardRecord]:
        def write(conn: Connection) -> tuple[Claim, CardRecord]:
            now = utcnow()
            inserted = conn.execute(
                insert_for(self.database, t)
                .values(
                    platform=platform,
                    channel=channel,
                    subject=subject,
                    ref=None,
                    count=0,
                    state="",
                    version=0,
                    claimed_by=owner,
                    claimed_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["platform", "channel", "subject"])
            )
            key = self._key(platform, channel, subject)
            row = _record(conn.execute(select(t).where(key)).one())
            if inserted.rowcount == 1:
                return Claim.NEW, row
            if row.ref is not None:
                return Claim.POSTED, row
            if (
                row.claimed_by != owner
                and row.claimed_at > now - stale_after
                and _alive(conn, row.claimed_by)
            ):
                return Claim.BUSY, row
            taken = conn.execute(
                update(t)
                .where(key, t.c.version == row.version, t.c.ref.is_(None))
                .values(claimed_by=owner, claimed_at=now, version=row.version + 1, updated_at=now)
            )
            fresh = _record(conn.execute(select(t).where(key)).one())
            return (Claim.NEW if taken.rowcount == 1 else Claim.BUSY), fresh

        return await self.database.run(write, write=True)

    async def posted(self, card: CardRecord, *, ref: Mapping[str, Any], count: int, state: str) -> CardRecord:
        """The card is out: keep where it landed and what it says."""
        written = await self._set(card, ref=dict(ref), count=count, state=state, posted_at=to_utc(utcnow()))
        assert written is not None
        return written

    async def shown(self, card: CardRecord, *, count: int, state: str) -> CardRecord | None:
        """The card was updated to say (count, state); None if another writer moved it first."""
        return await self._set(card, count=count, state=state, conditional=True)

    async def shown_many(self, shown: Sequence[tuple[CardRecord, int, str]]) -> list[bool]:
        """`shown` for each (card as read, count, state), in order, in one transaction; False where
        another writer had moved the row (the caller reads it again)."""

        def write(conn: Connection) -> list[bool]:
            stamp = utcnow()
            done = []
            for card, count, state in shown:
                key = self._key(card.platform, card.channel, card.subject)
                changed = conn.execute(
                    update(t)
                    .where(key, t.c.version == card.version)
                    .values(count=count, state=state, version=card.version + 1, updated_at=stamp)
                )
                done.append(changed.rowcount == 1)
            return done

        return await self.database.run(write, write=True) if shown else []

    async def _set(self, card: CardRecord, *, conditional: bool = False, **values: Any) -> CardRecord | None:
        key = self._key(card.platform, card.channel, card.subject)

        def write(conn: Connection) -> CardRecord | None:
            where = and_(key, t.c.version == card.version) if conditional else key
            changed = conn.execute(
                update(t).where(where).values(version=card.version + 1, updated_at=utcnow(), **values)
            )
            if changed.rowcount != 1:
                return None
            return _record(conn.execute(select(t).where(key)).one())

        return await self.database.run(write, write=True)
