"""What the cluster watch found, one row per (cluster, kind, namespace, name, reason).

`observe()` folds one observation in: each reporting object (an Event, a pod)
is a source whose own count only grows, and the row's count is the sum of
its sources, so the same object seen again (a resumed watch, a relist, a new
leader replaying from the stored resourceVersion) changes nothing. The write
is a conditional update on the row's `version`. Nothing here decides what a
signal means or where it goes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, select, update

from storage.alert_records import Change, SignalInput, SignalRecord, Written
from storage.database import Database, insert_for
from storage.tables import watch_signals as t
from storage.types import utcnow

ATTEMPTS = 5
MAX_SOURCES = 64
FOLDED = "_folded"  # the summed counts of sources no longer kept one by one


def _record(row: Row[Any]) -> SignalRecord:
    m = row._mapping
    return SignalRecord(
        cluster=m["cluster"],
        kind=m["kind"],
        namespace=m["namespace"],
        name=m["name"],
        reason=m["reason"],
        resource=m["resource"],
        state=m["state"],
        count=m["count"],
        message=m["message"],
        first_seen=m["first_seen"],
        last_seen=m["last_seen"],
        version=m["version"],
    )


def _with_source(sources: list[list[Any]], source: str, count: int) -> list[list[Any]]:
    """[[source, count], ...], most recently seen last; past MAX_SOURCES the least recently seen are
    folded into one entry (their total kept; such a source, should it come back, counts again)."""
    known = {str(s): int(c) for s, c in sources}
    merged: list[tuple[str, int]] = [(s, c) for s, c in known.items() if s not in (source, FOLDED)]
    merged.append((source, max(known.get(source, 0), count)))
    folded = known.get(FOLDED, 0)
    while len(merged) > MAX_SOURCES:
        folded += merged.pop(0)[1]
    return ([[FOLDED, folded]] if folded else []) + [[s, c] for s, c in merged]


def _total(sources: list[list[Any]]) -> int:
    return sum(int(c) for _, c in sources)


@dataclasses.dataclass(frozen=True)
class Signals:
    database: Database

    async def observe(self, seen: SignalInput) -> Written[SignalRecord] | None:
        """Fold one observation in; None when a key never seen firing is reported healthy."""
        return await self.database.run(lambda conn: self._observe(conn, seen), write=True)

    async def observe_many(self, seen: Sequence[SignalInput]) -> list[Written[SignalRecord] | None]:
        """`observe` for each, in order, in one transaction (a batch of watch events)."""
        if not seen:
            return []
        return await self.database.run(lambda conn: [self._observe(conn, one) for one in seen], write=True)

    def _key(self, seen: SignalInput) -> Any:
        return and_(
            t.c.cluster == seen.cluster,
            t.c.kind == seen.kind,
            t.c.namespace == seen.namespace,
            t.c.name == seen.name,
            t.c.reason == seen.reason,
        )

    def _observe(self, conn: Connection, seen: SignalInput) -> Written[SignalRecord] | None:
        now = utcnow()
        for _ in range(ATTEMPTS):
            row = conn.execute(select(t).where(self._key(seen))).first()
            if row is None:
                if not seen.firing:
                    return None
                sources = [[seen.source, max(seen.count, 1)]]
                inserted = conn.execute(
                    insert_for(self.database, t)
                    .values(
                        cluster=seen.cluster,
                        kind=seen.kind,
                        namespace=seen.namespace,
                        name=seen.name,
                        reason=seen.reason,
                        resource=seen.resource,
                        state="firing",
                        count=_total(sources),
                        message=seen.message,
                        sources=sources,
                        first_seen=seen.at,
                        last_seen=seen.at,
                        updated_at=now,
                        version=1,
                    )
                    .on_conflict_do_nothing(index_elements=["cluster", "kind", "namespace", "name", "reason"])
                )
                if inserted.rowcount == 1:
                    return Written(Change.NEW, self._require(conn, seen))
                continue
            old = _record(row)
            values: dict[str, Any]
            if seen.firing:
                sources = _with_source(list(row._mapping["sources"]), seen.source, max(seen.count, 1))
                values = {
                    "state": "firing",
                    "count": _total(sources),
                    "message": seen.message or old.message,
                    "sources": sources,
                    "last_seen": max(old.last_seen, seen.at),
                }
            else:
                values = {"state": "recovered"}
            # Only what a card shows decides; a later sighting of the same counts is a repeat.
            if all(getattr(old, k) == v for k, v in values.items() if k in ("state", "count", "message")):
                return Written(Change.UNCHANGED, old)
            changed = conn.execute(
                update(t)
                .where(self._key(seen), t.c.version == old.version)
                .values(version=old.version + 1, updated_at=now, **values)
            )
            if changed.rowcount == 1:
                return Written(Change.CHANGED, self._require(conn, seen))
        raise RuntimeError(
            f"signal {seen.kind}/{seen.name} kept changing under this write"
        )  # pragma: no cover

    def _require(self, conn: Connection, seen: SignalInput) -> SignalRecord:
        row = conn.execute(select(t).where(self._key(seen))).one()
        return _record(row)

    async def firing(self, *, cluster: str, resource: str | None = None) -> list[SignalRecord]:
        """Signals firing now on `cluster` (from one watch's resource, or every one)."""
        query = select(t).where(t.c.cluster == cluster, t.c.state == "firing")
        if resource is not None:
            query = query.where(t.c.resource == resource)
        rows = await self.database.run(lambda conn: conn.execute(query).all(), write=False)
        return [_record(row) for row in rows]
