"""The Alertmanager silences the bot created for alerts, and the expiry of those "until resolved".

`keep()` keeps a silence once (its id is the key, so the same approval seen
by two leaders, or twice by one, is one row) and bumps its alert's `version`
in the same transaction, so the alert's card is redrawn with it. `due()`
lists the "until resolved" silences still active whose alert has resolved.
Expiring one is a compare-and-set on `expired_at` before the call
(`claim_expiry`): one caller wins across replicas; a failed call gives the
claim back (`release_expiry`) so the next round tries again, and a success
records `expiry_done_at` and redraws the card (`expired`). A claim older than
`stale_before` without `expiry_done_at` belonged to a leader that died
between the claim and the call: it is due again and may be claimed anew. Nothing here calls Alertmanager or decides
when to expire.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, or_, select, update

from storage.alert_records import SilenceRecord
from storage.database import Database, insert_for
from storage.tables import alert_silences as t
from storage.tables import alerts
from storage.types import to_utc, utcnow

CHUNK = 200  # fingerprints per SELECT … IN


def _record(row: Row[Any]) -> SilenceRecord:
    m = row._mapping
    return SilenceRecord(
        silence_id=m["silence_id"],
        fingerprint=m["fingerprint"],
        until_resolved=bool(m["until_resolved"]),
        created_by=m["created_by"],
        created_at=m["created_at"],
        ends_at=m["ends_at"],
        expired_at=m["expired_at"],
        approval_id=m["approval_id"],
    )


def _redraw(conn: Connection, fingerprint: str) -> None:
    """The alert's card shows its silences: a new version makes the leader redraw it."""
    conn.execute(
        update(alerts)
        .where(alerts.c.fingerprint == fingerprint)
        .values(version=alerts.c.version + 1, updated_at=utcnow())
    )


@dataclasses.dataclass(frozen=True)
class AlertSilences:
    database: Database

    async def keep(self, silence: SilenceRecord) -> bool:
        """Keep a silence the bot created; False when it was already kept."""

        def write(conn: Connection) -> bool:
            inserted = conn.execute(
                insert_for(self.database, t)
                .values(
                    silence_id=silence.silence_id,
                    fingerprint=silence.fingerprint,
                    until_resolved=silence.until_resolved,
                    created_by=silence.created_by[:256],
                    created_at=silence.created_at,
                    ends_at=silence.ends_at,
                    approval_id=silence.approval_id,
                )
                .on_conflict_do_nothing(index_elements=["silence_id"])
            )
            if inserted.rowcount != 1:
                return False
            _redraw(conn, silence.fingerprint)
            return True

        return await self.database.run(write, write=True)

    async def get(self, silence_id: str) -> SilenceRecord | None:
        query = select(t).where(t.c.silence_id == silence_id)
        row = await self.database.run(lambda conn: conn.execute(query).first(), write=False)
        return None if row is None else _record(row)

    async def for_alerts(self, fingerprints: Sequence[str]) -> dict[str, list[SilenceRecord]]:
        """Every kept silence of these alerts, oldest first, by fingerprint."""
        wanted = list(dict.fromkeys(fingerprints))

        def read(conn: Connection) -> dict[str, list[SilenceRecord]]:
            found: dict[str, list[SilenceRecord]] = {}
            for start in range(0, len(wanted), CHUNK):
                query = (
                    select(t)
                    .where(t.c.fingerprint.in_(wanted[start : start + CHUNK]))
                    .order_by(t.c.created_at, t.c.silence_id)
                )
                for row in conn.execute(query):
                    record = _record(row)
                    found.setdefault(record.fingerprint, []).append(record)
            return found

        return await self.database.run(read, write=False) if wanted else {}

    async def due(self, now: dt.datetime, *, stale_before: dt.datetime) -> list[SilenceRecord]:
        """ "Until resolved" silences not expired nor ended whose alert has resolved (a claim made
        before `stale_before` and never confirmed counts as not expired)."""
        query = (
            select(t)
            .join(alerts, alerts.c.fingerprint == t.c.fingerprint)
            .where(
                t.c.until_resolved.is_(True),
                t.c.expiry_done_at.is_(None),
                or_(t.c.expired_at.is_(None), t.c.expired_at < to_utc(stale_before)),
                t.c.ends_at > to_utc(now),
                alerts.c.status == "resolved",
            )
            .order_by(t.c.created_at, t.c.silence_id)
        )
        rows = await self.database.run(lambda conn: conn.execute(query).all(), write=False)
        return [_record(row) for row in rows]

    async def claim_expiry(self, silence_id: str, *, at: dt.datetime, stale_before: dt.datetime) -> bool:
        """expired_at NULL (or a stale, unconfirmed claim) → `at`: True for the one caller that may now
        expire it."""
        statement = (
            update(t)
            .where(
                t.c.silence_id == silence_id,
                t.c.expiry_done_at.is_(None),
                or_(t.c.expired_at.is_(None), t.c.expired_at < to_utc(stale_before)),
            )
            .values(expired_at=at)
        )
        changed: int = await self.database.run(lambda conn: conn.execute(statement).rowcount, write=True)
        return changed == 1

    async def release_expiry(self, silence_id: str, *, at: dt.datetime) -> bool:
        """The call failed: give the claim made `at` back, so a later round tries again."""
        statement = (
            update(t).where(t.c.silence_id == silence_id, t.c.expired_at == at).values(expired_at=None)
        )
        changed: int = await self.database.run(lambda conn: conn.execute(statement).rowcount, write=True)
        return changed == 1

    async def expired(self, silence: SilenceRecord) -> None:
        """Alertmanager has expired it: confirm the claim and redraw its alert's card, which says so."""

        def write(conn: Connection) -> None:
            conn.execute(
                update(t).where(t.c.silence_id == silence.silence_id).values(expiry_done_at=utcnow())
            )
            _redraw(conn, silence.fingerprint)

        await self.database.run(write, write=True)
