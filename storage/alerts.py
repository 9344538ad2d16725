"""Alertmanager alerts by fingerprint: idempotent upserts, acknowledgements, what changed lately.

Any replica's receiver writes here; a notification Alertmanager repeats (or
delivers to two replicas) is `UNCHANGED`, so nothing downstream happens
twice. Every change is a conditional update on the row's `version`, so two
writers racing on one fingerprint both end with one consistent row. A late
"firing" for an alert already resolved with the same `starts_at` is stale and
changes nothing (a real re-fire starts at a new time). What the bot found
about a firing is kept once (`record_findings`) and forgotten when it fires
again. Nothing here decides where an alert goes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, Row, select, update

from storage.alert_records import AlertInput, AlertRecord, Change, Written
from storage.database import Database, insert_for
from storage.tables import alerts as t
from storage.types import to_utc, utcnow

ATTEMPTS = 5


def _record(row: Row[Any]) -> AlertRecord:
    m = row._mapping
    return AlertRecord(
        fingerprint=m["fingerprint"],
        status=m["status"],
        labels=dict(m["labels"]),
        annotations=dict(m["annotations"]),
        starts_at=m["starts_at"],
        ends_at=m["ends_at"],
        generator_url=m["generator_url"],
        acknowledged_by=m["acknowledged_by"],
        acknowledged_at=m["acknowledged_at"],
        received_at=m["received_at"],
        updated_at=m["updated_at"],
        version=m["version"],
        findings=m["findings"],
    )


def _same(row: AlertRecord, new: AlertInput) -> bool:
    if row.status == "resolved" and new.status == "firing" and row.starts_at == to_utc(new.starts_at):
        return True  # a stale repeat of the firing notification
    return (
        row.status,
        dict(row.labels),
        dict(row.annotations),
        row.starts_at,
        row.ends_at,
        row.generator_url,
    ) == (
        new.status,
        dict(new.labels),
        dict(new.annotations),
        to_utc(new.starts_at),
        to_utc(new.ends_at) if new.ends_at else None,
        new.generator_url,
    )


@dataclasses.dataclass(frozen=True)
class Alerts:
    database: Database

    async def upsert(self, new: AlertInput) -> Written[AlertRecord]:
        """Store one alert of a notification; says whether it was new, changed or a repeat."""
        return await self.database.run(lambda conn: self._upsert(conn, new), write=True)

    def _upsert(self, conn: Connection, new: AlertInput) -> Written[AlertRecord]:
        now = utcnow()
        values = {
            "status": new.status,
            "alertname": str(new.labels.get("alertname", "alert"))[:256],
            "labels": dict(new.labels),
            "annotations": dict(new.annotations),
            "starts_at": new.starts_at,
            "ends_at": new.ends_at,
            "generator_url": new.generator_url,
            "updated_at": now,
        }
        for _ in range(ATTEMPTS):
            row = self._get(conn, new.fingerprint)
            if row is None:
                inserted = conn.execute(
                    insert_for(self.database, t)
                    .values(fingerprint=new.fingerprint, received_at=now, version=1, **values)
                    .on_conflict_do_nothing(index_elements=["fingerprint"])
                )
                if inserted.rowcount == 1:
                    return Written(Change.NEW, self._require(conn, new.fingerprint))
                continue
            if _same(row, new):
                return Written(Change.UNCHANGED, row)
            fired_again = row.status == "resolved" and new.status == "firing"
            # A new firing is new news: nobody has taken it yet, and what was found is found again.
            extra = (
                {"acknowledged_by": None, "acknowledged_at": None, "findings": None} if fired_again else {}
            )
            changed = conn.execute(
                update(t)
                .where(t.c.fingerprint == new.fingerprint, t.c.version == row.version)
                .values(version=row.version + 1, **values, **extra)
            )
            if changed.rowcount == 1:
                return Written(Change.CHANGED, self._require(conn, new.fingerprint))
        raise RuntimeError(f"alert {new.fingerprint} kept changing under this write")  # pragma: no cover

    async def acknowledge(self, fingerprint: str, *, by: str, at: dt.datetime) -> Written[AlertRecord] | None:
        """Record who took the alert: `CHANGED` for the first, `UNCHANGED` if someone already had;
        None for an unknown fingerprint."""

        def write(conn: Connection) -> Written[AlertRecord] | None:
            changed = conn.execute(
                update(t)
                .where(t.c.fingerprint == fingerprint, t.c.acknowledged_by.is_(None))
                .values(
                    acknowledged_by=by[:256], acknowledged_at=at, version=t.c.version + 1, updated_at=utcnow()
                )
            )
            row = self._get(conn, fingerprint)
            if row is None:
                return None
            return Written(Change.CHANGED if changed.rowcount == 1 else Change.UNCHANGED, row)

        return await self.database.run(write, write=True)

    async def record_findings(
        self, fingerprint: str, *, starts_at: dt.datetime, findings: Mapping[str, Any]
    ) -> AlertRecord | None:
        """Keep what was found about this firing (the one starting at `starts_at`), once: a firing
        that already has findings keeps them. Returns the row as it is now (None if unknown).

        The write moves `version` and `updated_at`, so a card posted before the findings landed is
        redrawn with them, and a leader that takes over reads them instead of looking again."""

        def write(conn: Connection) -> AlertRecord | None:
            conn.execute(
                update(t)
                .where(
                    t.c.fingerprint == fingerprint,
                    t.c.starts_at == to_utc(starts_at),
                    t.c.findings.is_(None),
                )
                .values(findings=dict(findings), version=t.c.version + 1, updated_at=utcnow())
            )
            return self._get(conn, fingerprint)

        return await self.database.run(write, write=True)

    async def get(self, fingerprint: str) -> AlertRecord | None:
        return await self.database.run(lambda conn: self._get(conn, fingerprint), write=False)

    async def changed_since(self, since: dt.datetime, *, limit: int = 500) -> list[AlertRecord]:
        """Alerts written at or after `since`, oldest first (the leader's catch-up)."""
        query = select(t).where(t.c.updated_at >= to_utc(since)).order_by(t.c.updated_at).limit(limit)
        rows = await self.database.run(lambda conn: conn.execute(query).all(), write=False)
        return [_record(row) for row in rows]

    async def firing(self, *, limit: int = 200) -> list[AlertRecord]:
        query = select(t).where(t.c.status == "firing").order_by(t.c.starts_at).limit(limit)
        rows = await self.database.run(lambda conn: conn.execute(query).all(), write=False)
        return [_record(row) for row in rows]

    @staticmethod
    def _get(conn: Connection, fingerprint: str) -> AlertRecord | None:
        row = conn.execute(select(t).where(t.c.fingerprint == fingerprint)).first()
        return None if row is None else _record(row)

    def _require(self, conn: Connection, fingerprint: str) -> AlertRecord:
        record = self._get(conn, fingerprint)
        assert record is not None
        return record
