"""The audit trail: an append-only, hash-chained log of what the bot did.

Each row's `hash` is SHA-256 (or HMAC-SHA256 with the audit key) over the
canonical JSON of every other field, including `prev_hash`, so editing,
deleting or reordering rows breaks the chain and `verify()` names the first
bad seq. Writers are serialised by locking the `audit_head` row first, which
keeps seq gap-free across processes and replicas. Callers must put no secret
values in events; this module stores what it is given.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, insert, select, update

from storage.database import Database
from storage.errors import InvalidStorageInput, MissingSchema, StorageError, StorageUnavailable
from storage.faults import crash_point
from storage.records import AuditEvent, AuditFilter, AuditRecord, VerifyReport
from storage.tables import GENESIS_HASH, audit_events, audit_head
from storage.types import canonical_json

VERIFY_PAGE = 1000
LIST_LIMIT_MAX = 10_000
_EVENT_FIELDS = tuple(f.name for f in dataclasses.fields(AuditEvent) if f.name != "detail")

# Built once: the append path runs these thousands of times a second.
_TAKE_HEAD = (
    update(audit_head)
    .where(audit_head.c.id == 1)
    .values(seq=audit_head.c.seq + bindparam("n"))
    .returning(audit_head.c.seq, audit_head.c.hash)
)
_INSERT_EVENTS = insert(audit_events)
_SET_HEAD_HASH = update(audit_head).where(audit_head.c.id == 1).values(hash=bindparam("h"))
# Compare-and-set from the head this process wrote last: one statement instead of two.
_ADVANCE_KNOWN_HEAD = (
    update(audit_head)
    .where(audit_head.c.id == 1, audit_head.c.seq == bindparam("seq"), audit_head.c.hash == bindparam("prev"))
    .values(seq=audit_head.c.seq + bindparam("n"), hash=bindparam("h"))
)


def audit_timestamp(now: dt.datetime | None = None) -> str:
    """ISO-8601 UTC with microseconds: the exact text that is stored and hashed."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    return moment.isoformat(timespec="microseconds")


def chain_hash(fields: Mapping[str, Any], *, key: bytes | None) -> str:
    """The hash of one row: over every field except `hash` itself."""
    payload = canonical_json(fields).encode("utf-8")
    if key is not None:
        return hmac.new(key, payload, hashlib.sha256).hexdigest()
    return hashlib.sha256(payload).hexdigest()


def _hashed_fields(row: Mapping[Any, Any]) -> dict[str, Any]:
    fields = {name: row[name] for name in ("seq", "ts", *_EVENT_FIELDS, "prev_hash")}
    fields["detail"] = json.loads(row["detail"]) if isinstance(row["detail"], str) else row["detail"]
    return fields


def _to_record(row: Row[Any]) -> AuditRecord:
    m = row._mapping
    return AuditRecord(**{**_hashed_fields(m), "hash": m["hash"]})


def _fetch_all(query: Select[Any], conn: Connection) -> list[Row[Any]]:
    return list(conn.execute(query).all())


def _normalise_ts(value: str, *, what: str) -> str:
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError as e:
        raise InvalidStorageInput(
            f"{what} {value!r} is not a date or time; use ISO-8601 such as 2025-01-31 or 2025-01-31T14:00Z"
        ) from e
    return audit_timestamp(parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC))


# Appends of at most this many rows may run on the event loop (`Database.run`, inline): they only touch
# the database, so a try that found it locked is simply run again in the thread. 64 rows hold the loop
# about 2 ms on the development box; a group commit of 50 callers then costs no thread hand-off either.
INLINE_MAX_EVENTS = 64


@dataclasses.dataclass
class _KnownHead:
    """The chain head as this process last committed it (a hint; the database decides)."""

    seq: int | None = None
    hash: str = GENESIS_HASH


@dataclasses.dataclass(frozen=True)
class Audit:
    database: Database
    key: bytes | None = dataclasses.field(default=None, repr=False)
    _known: _KnownHead = dataclasses.field(default_factory=_KnownHead, repr=False, compare=False)

    async def append(self, event: AuditEvent) -> AuditRecord:
        return (await self.append_many([event]))[0]

    def group_commit(self) -> GroupCommit:
        return GroupCommit(self)

    def _chain(
        self, events: Sequence[AuditEvent], details: list[str], seq: int, prev_hash: str, ts: str
    ) -> tuple[list[AuditRecord], list[dict[str, Any]]]:
        records: list[AuditRecord] = []
        rows: list[dict[str, Any]] = []
        for event, detail_json in zip(events, details, strict=True):
            seq += 1
            fields = {name: getattr(event, name) for name in _EVENT_FIELDS}
            fields.update(seq=seq, ts=ts, detail=json.loads(detail_json), prev_hash=prev_hash)
            prev_hash = chain_hash(fields, key=self.key)
            records.append(AuditRecord(**fields, hash=prev_hash))
            rows.append({**fields, "detail": detail_json, "hash": prev_hash})
        return records, rows

    async def append_many(
        self, events: Sequence[AuditEvent], *, also: Sequence[Callable[[Connection], object]] = ()
    ) -> list[AuditRecord]:
        """Chain `events` in order, in one transaction (with `also`'s writes, e.g. a history row).

        When no other writer moved the head since this process's last append, one
        compare-and-set moves it; otherwise the head row is read under its lock.
        Either way the first statement locks the head row (PostgreSQL) or the
        database (SQLite) until commit, so writers in any process queue there.
        """
        if not events:
            return []
        # Canonicalise before taking the lock: bad detail fails without touching the chain.
        details = [canonical_json(dict(e.detail)) for e in events]
        n = len(events)
        known_seq, known_hash = self._known.seq, self._known.hash

        def _append(conn: Connection) -> list[AuditRecord]:
            ts = audit_timestamp()
            chained = None
            if known_seq is not None:
                chained = self._chain(events, details, known_seq, known_hash, ts)
                cas = {"n": n, "seq": known_seq, "prev": known_hash, "h": chained[1][-1]["hash"]}
                if conn.execute(_ADVANCE_KNOWN_HEAD, cas).rowcount != 1:
                    chained = None  # another writer moved the head: read it
            if chained is None:
                head = conn.execute(_TAKE_HEAD, {"n": n}).first()
                if head is None:
                    raise MissingSchema(
                        f"the audit chain head is missing in {self.database.describe()}; "
                        "run `chatops db upgrade` to create it"
                    )
                chained = self._chain(events, details, head.seq - n, head.hash, ts)
                conn.execute(_SET_HEAD_HASH, {"h": chained[1][-1]["hash"]})
            records, rows = chained
            conn.execute(_INSERT_EVENTS, rows)
            for write in also:
                write(conn)
            return records

        # A small append (one caller's, or a group of up to INLINE_MAX_EVENTS) may run on the loop.
        records = await self.database.run(_append, write=True, inline=n <= INLINE_MAX_EVENTS)
        self._known.seq, self._known.hash = records[-1].seq, records[-1].hash
        for event in events:
            crash_point(f"audit.{event.event}")
        return records

    async def get(self, seq: int) -> AuditRecord | None:
        query = select(audit_events).where(audit_events.c.seq == seq)
        row = await self.database.run(lambda conn: conn.execute(query).first(), write=False)
        return None if row is None else _to_record(row)

    async def list_audit(self, f: AuditFilter) -> list[AuditRecord]:
        """Rows matching every given filter, in seq order; with `limit`, the newest `limit` of them."""
        c = audit_events.c
        query = select(audit_events)
        for column, value in (
            (c.user_id, f.user_id),
            (c.channel, f.channel),
            (c.status, f.status),
            (c.operation, f.operation),
            (c.event, f.event),
            (c.platform, f.platform),
        ):
            if value is not None:
                query = query.where(column == value)
        if f.events:
            query = query.where(c.event.in_(f.events))
        if f.since is not None:
            query = query.where(c.ts >= _normalise_ts(f.since, what="since"))
        if f.until is not None:
            query = query.where(c.ts < _normalise_ts(f.until, what="until"))
        limit = LIST_LIMIT_MAX if f.limit is None else max(1, min(f.limit, LIST_LIMIT_MAX))
        query = query.order_by(c.seq.desc()).limit(limit)
        rows = await self.database.run(lambda conn: [_to_record(r) for r in conn.execute(query)], write=False)
        return rows[::-1]

    async def verify(self) -> VerifyReport:
        """Walk the chain in seq order, one page at a time, and name the first bad row."""
        head_query = select(audit_head.c.seq, audit_head.c.hash)
        head = await self.database.run(lambda conn: conn.execute(head_query).first(), write=False)
        if head is None:
            return VerifyReport(ok=False, rows_checked=0, problem="the audit chain head row is missing")
        expected_seq, prev_hash, checked = 1, GENESIS_HASH, 0
        while expected_seq <= head.seq:
            page = (
                select(audit_events)
                .where(audit_events.c.seq >= expected_seq, audit_events.c.seq <= head.seq)
                .order_by(audit_events.c.seq)
                .limit(VERIFY_PAGE)
            )
            rows = await self.database.run(functools.partial(_fetch_all, page), write=False)
            if not rows:
                break
            for row in rows:
                m = row._mapping
                if m["seq"] != expected_seq:
                    return self._bad(checked, expected_seq, f"row {expected_seq} is missing (deleted)")
                fields = _hashed_fields(m)
                if chain_hash(fields, key=self.key) != m["hash"]:
                    return self._bad(
                        checked,
                        expected_seq,
                        f"row {expected_seq} does not match its hash "
                        "(edited, moved, or written with a different audit key)",
                    )
                if m["prev_hash"] != prev_hash:
                    return self._bad(
                        checked, expected_seq, f"row {expected_seq} does not follow row {expected_seq - 1}"
                    )
                prev_hash, expected_seq, checked = m["hash"], expected_seq + 1, checked + 1
        if expected_seq <= head.seq:
            return self._bad(
                checked,
                expected_seq,
                f"the chain head records {head.seq} rows but row {expected_seq} is missing",
            )
        if head.hash != prev_hash:
            return self._bad(checked, head.seq, f"row {head.seq} does not match the chain head")
        return VerifyReport(ok=True, rows_checked=checked)

    @staticmethod
    def _bad(checked: int, seq: int, problem: str) -> VerifyReport:
        return VerifyReport(ok=False, rows_checked=checked, first_bad_seq=seq, problem=problem)


@dataclasses.dataclass(frozen=True)
class _Pending:
    events: Sequence[AuditEvent]
    also: Sequence[Callable[[Connection], object]]
    future: asyncio.Future[list[AuditRecord]]


class GroupCommit:
    """Appends from concurrent callers share one transaction (group commit).

    Each caller still gets its own committed rows before `append` returns, so
    "recorded before the reply goes out" holds; while one transaction is being
    written, the appends that arrive meanwhile wait and go into the next one.
    A caller's events stay together and in order. When the database is
    unreachable every caller of the batch learns it; when it refused the batch,
    each caller's rows are tried alone, so one bad row fails only its request.
    """

    def __init__(self, audit: Audit, *, max_batch: int = 500) -> None:
        self._audit = audit
        self._max_batch = max_batch
        self._pending: list[_Pending] = []
        self._flushing: asyncio.Task[None] | None = None

    async def append(self, event: AuditEvent) -> AuditRecord:
        return (await self.append_many([event]))[0]

    async def append_many(
        self, events: Sequence[AuditEvent], *, also: Sequence[Callable[[Connection], object]] = ()
    ) -> list[AuditRecord]:
        if not events:
            return []
        future: asyncio.Future[list[AuditRecord]] = asyncio.get_running_loop().create_future()
        self._pending.append(_Pending(tuple(events), tuple(also), future))
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.create_task(self._flush())
        return await future

    def _take_batch(self) -> list[_Pending]:
        batch: list[_Pending] = []
        size = 0
        while self._pending and (not batch or size + len(self._pending[0].events) <= self._max_batch):
            item = self._pending.pop(0)
            batch.append(item)
            size += len(item.events)
        return batch

    async def _flush(self) -> None:
        while self._pending:
            batch = self._take_batch()
            try:
                records = await self._write(batch)
            except StorageUnavailable as e:  # the database is away: every caller learns it at once
                self._fail(batch, e)
                continue
            except Exception as e:
                if len(batch) == 1:
                    self._fail(batch, e)
                    continue
                # One caller's rows may be what the database refused: each on its own, in order,
                # so one bad row fails only its own request.
                for item in batch:
                    try:
                        self._deliver([item], await self._write([item]))
                    except Exception as alone:
                        self._fail([item], alone)
                continue
            except BaseException as e:
                self._fail(batch, StorageError(str(e)))
                raise
            self._deliver(batch, records)

    async def _write(self, batch: list[_Pending]) -> list[AuditRecord]:
        return await self._audit.append_many(
            [e for item in batch for e in item.events], also=[w for item in batch for w in item.also]
        )

    @staticmethod
    def _deliver(batch: list[_Pending], records: list[AuditRecord]) -> None:
        offset = 0
        for item in batch:
            if not item.future.done():
                item.future.set_result(records[offset : offset + len(item.events)])
            offset += len(item.events)

    @staticmethod
    def _fail(batch: list[_Pending], error: Exception) -> None:
        for item in batch:
            if not item.future.done():
                item.future.set_exception(error)
