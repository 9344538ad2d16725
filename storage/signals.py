"""What the cluster watch found, one row per (cluster, kind, namespace, name, reason).

`observe_many()` folds a batch of observations in: each reporting object (an
Event, a pod) is a source whose own count only grows, and the row's count is
the sum of its sources, so the same object seen again (a resumed watch, a
relist, a new leader replaying from the stored resourceVersion) changes
nothing. A batch reads its rows in one query, folds in memory (`fold`, pure)
and writes each changed row once, conditional on the `version` it read; if
another writer moved a row meanwhile, the whole batch is read and folded again.
Event-based rows (`resource` "events") close by `close_quiet` (no new occurrence
for a while) or `close_about` (their object is gone or recovered), each row once
(conditional on its version), and reopen only on a new occurrence: a replayed
Event whose count did not grow leaves a closed row closed. Nothing here decides
what a signal means or where it goes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, select, tuple_, update

from storage.alert_records import Change, SignalInput, SignalRecord, Written
from storage.database import Database, insert_for
from storage.tables import watch_signals as t
from storage.types import utcnow

ATTEMPTS = 5
MAX_SOURCES = 64
FOLDED = "_folded"  # the summed counts of sources no longer kept one by one
CHUNK = 200  # keys per SELECT … IN
KEY_COLUMNS = ("cluster", "kind", "namespace", "name", "reason")
EVENTS = "events"  # the watch whose signals are occurrences, not states


def _record(row: Row[Any]) -> tuple[SignalRecord, list[list[Any]]]:
    m = row._mapping
    record = SignalRecord(
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
    return record, list(m["sources"])


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


Key = tuple[str, str, str, str, str]
Current = tuple[SignalRecord, list[list[Any]]]  # the row as folded so far, and its sources


def key_of(seen: SignalInput) -> Key:
    return (seen.cluster, seen.kind, seen.namespace, seen.name, seen.reason)


def fold(current: Current | None, seen: SignalInput) -> tuple[Change | None, Current | None]:
    """One observation applied to a row (None: no row yet): what it changed, and the row after it.
    (None, None): a key never seen firing reported healthy, which needs no row."""
    if current is None:
        if not seen.firing:
            return None, None
        sources = [[seen.source, max(seen.count, 1)]]
        record = SignalRecord(
            *key_of(seen),
            resource=seen.resource,
            state="firing",
            count=_total(sources),
            message=seen.message,
            first_seen=seen.at,
            last_seen=seen.at,
            version=1,
        )
        return Change.NEW, (record, sources)
    old, sources = current
    if seen.firing:
        sources = _with_source(sources, seen.source, max(seen.count, 1))
        if old.resource == EVENTS and old.state != "firing" and _total(sources) <= old.count:
            return Change.UNCHANGED, current  # an occurrence already counted, seen again: stays closed
        new = dataclasses.replace(
            old,
            state="firing",
            count=_total(sources),
            message=seen.message or old.message,
            last_seen=max(old.last_seen, seen.at),
        )
    else:
        new = dataclasses.replace(old, state="recovered")
    # Only what a card shows decides; a later sighting of the same counts is a repeat.
    if (new.state, new.count, new.message) == (old.state, old.count, old.message):
        return Change.UNCHANGED, current
    return Change.CHANGED, (dataclasses.replace(new, version=old.version + 1), sources)


class _Moved(Exception):
    """Another writer changed a row this batch read: read and fold the batch again."""


def _columns(record: SignalRecord, sources: list[list[Any]]) -> dict[str, Any]:
    return {
        "resource": record.resource,
        "state": record.state,
        "count": record.count,
        "message": record.message,
        "sources": sources,
        "first_seen": record.first_seen,
        "last_seen": record.last_seen,
        "version": record.version,
    }


@dataclasses.dataclass(frozen=True)
class Signals:
    database: Database

    async def observe(self, seen: SignalInput) -> Written[SignalRecord] | None:
        """Fold one observation in; None when a key never seen firing is reported healthy."""
        (written,) = await self.observe_many([seen])
        return written

    async def observe_many(self, seen: Sequence[SignalInput]) -> list[Written[SignalRecord] | None]:
        """`observe` for each, in order, in one transaction (a batch of watch events)."""
        if not seen:
            return []
        for _ in range(ATTEMPTS):
            try:
                return await self.database.run(lambda conn: self._batch(conn, seen), write=True)
            except _Moved:
                continue
        raise RuntimeError(f"{len(seen)} signals kept changing under this write")  # pragma: no cover

    def _batch(self, conn: Connection, seen: Sequence[SignalInput]) -> list[Written[SignalRecord] | None]:
        keys = list(dict.fromkeys(key_of(s) for s in seen))
        read: dict[Key, Current] = {}
        columns = tuple_(t.c.cluster, t.c.kind, t.c.namespace, t.c.name, t.c.reason)
        for start in range(0, len(keys), CHUNK):
            for row in conn.execute(select(t).where(columns.in_(keys[start : start + CHUNK]))):
                record, sources = _record(row)
                read[record.key] = (record, sources)
        now: dict[Key, Current | None] = dict(read)
        results: list[Written[SignalRecord] | None] = []
        for one in seen:
            change, after = fold(now.get(key_of(one)), one)
            if change is None or after is None:
                results.append(None)
                continue
            now[key_of(one)] = after
            results.append(Written(change, after[0]))
        stamp = utcnow()
        for key, after in now.items():
            before = read.get(key)
            if after is None or (before is not None and after[0].version == before[0].version):
                continue
            if before is None:
                inserted = conn.execute(
                    insert_for(self.database, t)
                    .values(**dict(zip(KEY_COLUMNS, key, strict=True)), **_columns(*after), updated_at=stamp)
                    .on_conflict_do_nothing(index_elements=list(KEY_COLUMNS))
                )
                if inserted.rowcount != 1:
                    raise _Moved
                continue
            where = and_(*(t.c[name] == value for name, value in zip(KEY_COLUMNS, key, strict=True)))
            changed = conn.execute(
                update(t)
                .where(where, t.c.version == before[0].version)
                .values(**_columns(*after), updated_at=stamp)
            )
            if changed.rowcount != 1:
                raise _Moved
        return results

    async def close_quiet(self, *, cluster: str, before: dt.datetime) -> list[SignalRecord]:
        """Close the event-based signals of `cluster` last seen before `before`; returns those this
        call closed (another writer's closing or a new occurrence meanwhile leaves a row alone)."""
        return await self._close(cluster, t.c.last_seen < before)

    async def close_about(
        self, *, cluster: str, objects: Collection[tuple[str, str, str]]
    ) -> list[SignalRecord]:
        """Close the event-based signals about these (kind, namespace, name) objects of `cluster`."""
        closed: list[SignalRecord] = []
        wanted = sorted(set(objects))
        columns = tuple_(t.c.kind, t.c.namespace, t.c.name)
        for start in range(0, len(wanted), CHUNK):
            closed += await self._close(cluster, columns.in_(wanted[start : start + CHUNK]))
        return closed

    async def _close(self, cluster: str, which: ColumnElement[bool]) -> list[SignalRecord]:
        query = select(t).where(t.c.cluster == cluster, t.c.resource == EVENTS, t.c.state == "firing", which)

        def write(conn: Connection) -> list[SignalRecord]:
            closed = []
            stamp = utcnow()
            for row in conn.execute(query).all():
                record = _record(row)[0]
                where = and_(*(t.c[n] == v for n, v in zip(KEY_COLUMNS, record.key, strict=True)))
                changed = conn.execute(
                    update(t)
                    .where(where, t.c.version == record.version, t.c.state == "firing")
                    .values(state="recovered", version=record.version + 1, updated_at=stamp)
                )
                if changed.rowcount == 1:
                    closed.append(dataclasses.replace(record, state="recovered", version=record.version + 1))
            return closed

        # Most rounds find nothing to close: only then take a writer's transaction.
        if not await self.database.run(lambda conn: conn.execute(query.limit(1)).first(), write=False):
            return []
        return await self.database.run(write, write=True)

    async def firing(self, *, cluster: str, resource: str | None = None) -> list[SignalRecord]:
        """Signals firing now on `cluster` (from one watch's resource, or every one)."""
        query = select(t).where(t.c.cluster == cluster, t.c.state == "firing")
        if resource is not None:
            query = query.where(t.c.resource == resource)
        rows = await self.database.run(lambda conn: conn.execute(query).all(), write=False)
        return [_record(row)[0] for row in rows]
