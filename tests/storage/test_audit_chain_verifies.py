from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json

import pytest

from storage import InvalidStorageInput, Store
from storage.records import AuditEvent, AuditFilter
from storage.tables import GENESIS_HASH


def event(n: int, **kw: object) -> AuditEvent:
    fields: dict[str, object] = {
        "event": "operation.executed",
        "request_id": f"req-{n}",
        "platform": "slack",
        "user_id": "U1",
        "channel": "C1",
        "operation": "k8s_scale_deployment",
        "status": "ok",
        "detail": {"n": n, "name": "web", "note": "é ✓"},
    }
    fields.update(kw)
    return AuditEvent(**fields)  # type: ignore[arg-type]


async def test_appends_form_a_gapless_chain_that_verifies(store: Store) -> None:
    first = await store.append_audit(event(1))
    batch = await store.append_audit_many([event(2), event(3), event(4)])

    assert [r.seq for r in (first, *batch)] == [1, 2, 3, 4]
    assert first.prev_hash == GENESIS_HASH
    assert [r.prev_hash for r in batch] == [first.hash, batch[0].hash, batch[1].hash]
    report = await store.verify_audit()
    assert report.ok and report.rows_checked == 4 and report.first_bad_seq is None


async def test_the_hash_is_sha256_of_the_canonical_json_of_every_other_field(store: Store) -> None:
    record = await store.append_audit(event(1, detail={"b": [1, 2], "a": "x"}))

    fields = {k: v for k, v in record.__dict__.items() if k != "hash"}
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert record.hash == hashlib.sha256(canonical.encode()).hexdigest()
    parsed = dt.datetime.fromisoformat(record.ts)
    assert parsed.utcoffset() == dt.timedelta(0) and len(record.ts.split(".")[1]) == len("123456+00:00")
    assert await store.get_audit(1) == record
    assert await store.get_audit(2) is None


async def test_concurrent_writers_from_separate_connections_keep_one_chain(store: Store, db_url: str) -> None:
    writers = [await Store.open(db_url, migrate=False) for _ in range(8)]
    try:
        await asyncio.gather(*(w.append_audit(event(i)) for i, w in enumerate(writers) for _ in range(5)))
        await asyncio.gather(*(w.append_audit_many([event(i), event(i)]) for i, w in enumerate(writers)))
    finally:
        await asyncio.gather(*(w.close() for w in writers))

    rows = await store.list_audit(AuditFilter())
    assert [r.seq for r in rows] == list(range(1, 57))
    report = await store.verify_audit()
    assert report.ok and report.rows_checked == 56


async def test_filters_are_anded_and_results_come_in_seq_order(store: Store) -> None:
    await store.append_audit(event(1, user_id="U1", status="ok"))
    await store.append_audit(event(2, user_id="U2", status="error", channel="C9"))
    await store.append_audit(event(3, user_id="U1", status="error", event="approval.decided"))
    await store.append_audit(event(4, user_id="U1", status="error", operation="helm_rollback"))

    assert [r.seq for r in await store.list_audit(AuditFilter(user_id="U1", status="error"))] == [3, 4]
    assert [r.seq for r in await store.list_audit(AuditFilter(channel="C9"))] == [2]
    assert [r.seq for r in await store.list_audit(AuditFilter(event="approval.decided"))] == [3]
    assert [r.seq for r in await store.list_audit(AuditFilter(operation="helm_rollback"))] == [4]
    assert [r.seq for r in await store.list_audit(AuditFilter(limit=2))] == [3, 4]
    assert (await store.list_audit(AuditFilter(user_id="U2")))[0].detail == {
        "n": 2,
        "name": "web",
        "note": "é ✓",
    }


async def test_time_filters_accept_dates_and_other_timezones(store: Store) -> None:
    await store.append_audit(event(1))
    today = dt.datetime.now(dt.UTC)
    tomorrow = (today + dt.timedelta(days=1)).date().isoformat()
    in_an_hour_elsewhere = (today + dt.timedelta(hours=1)).astimezone(dt.timezone(dt.timedelta(hours=-5)))

    assert len(await store.list_audit(AuditFilter(since=today.date().isoformat(), until=tomorrow))) == 1
    assert len(await store.list_audit(AuditFilter(since=in_an_hour_elsewhere.isoformat()))) == 0
    assert len(await store.list_audit(AuditFilter(until=in_an_hour_elsewhere.isoformat()))) == 1
    with pytest.raises(InvalidStorageInput, match="not a date or time"):
        await store.list_audit(AuditFilter(since="yesterday"))


async def test_detail_that_is_not_json_is_refused_before_the_chain_moves(store: Store) -> None:
    with pytest.raises(InvalidStorageInput, match="cannot be stored as JSON"):
        await store.append_audit(event(1, detail={"when": dt.datetime.now(dt.UTC)}))

    record = await store.append_audit(event(2))
    assert record.seq == 1
