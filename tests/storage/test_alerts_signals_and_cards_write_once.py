"""Alerts, watch signals, notification cards and watch positions on SQLite and PostgreSQL: every
write says new / changed / unchanged, repeats change nothing, and racing writers end with one row."""

from __future__ import annotations

import asyncio
import datetime as dt

from storage import Store
from storage.alert_records import AlertInput, Change, Claim, SignalInput
from storage.instances import InstanceRecord

T0 = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


def alert(status: str = "firing", *, starts: dt.datetime = T0, **labels: str) -> AlertInput:
    return AlertInput(
        fingerprint="f00dfeed12345678",
        status=status,
        labels={"alertname": "KubePodCrashLooping", "namespace": "prod", **labels},
        annotations={"summary": "web crash-loops"},
        starts_at=starts,
        ends_at=starts + dt.timedelta(minutes=5) if status == "resolved" else None,
    )


def seen(source: str = "uid-1", count: int = 1, *, firing: bool = True, name: str = "web-1") -> SignalInput:
    return SignalInput(
        cluster="prod",
        kind="Pod",
        namespace="shop",
        name=name,
        reason="BackOff",
        resource="events",
        firing=firing,
        source=source,
        count=count,
        message="Back-off restarting failed container",
        at=T0,
    )


async def test_an_alert_is_new_once_then_a_repeat_then_resolved(store: Store) -> None:
    first = await store.alerts.upsert(alert())
    assert first.change is Change.NEW and first.record.status == "firing" and first.record.version == 1
    assert (await store.alerts.upsert(alert())).change is Change.UNCHANGED
    resolved = await store.alerts.upsert(alert("resolved"))
    assert resolved.change is Change.CHANGED and resolved.record.ends_at == T0 + dt.timedelta(minutes=5)
    assert (await store.alerts.upsert(alert())).change is Change.UNCHANGED  # a late, stale "firing"
    assert [a.fingerprint for a in await store.alerts.firing()] == []


async def test_a_re_fire_changes_the_row_and_clears_the_acknowledgement(store: Store) -> None:
    await store.alerts.upsert(alert())
    taken = await store.alerts.acknowledge("f00dfeed12345678", by="slack:U1 Alice", at=T0)
    assert (
        taken is not None
        and taken.change is Change.CHANGED
        and taken.record.acknowledged_by == "slack:U1 Alice"
    )
    again = await store.alerts.acknowledge("f00dfeed12345678", by="slack:U2 Bob", at=T0)
    assert (
        again is not None
        and again.change is Change.UNCHANGED
        and again.record.acknowledged_by == "slack:U1 Alice"
    )
    assert await store.alerts.acknowledge("unknown", by="x", at=T0) is None
    await store.alerts.upsert(alert("resolved"))
    refired = await store.alerts.upsert(alert(starts=T0 + dt.timedelta(hours=1)))
    assert refired.change is Change.CHANGED and refired.record.acknowledged_by is None
    changed = await store.alerts.changed_since(T0)
    assert [a.fingerprint for a in changed] == ["f00dfeed12345678"]


async def test_two_replicas_receiving_the_same_alert_store_it_once(db_url: str, store: Store) -> None:
    others = [await Store.open(db_url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(s.alerts.upsert(alert()) for s in [store, *others]))
    finally:
        await asyncio.gather(*(s.close() for s in others))
    assert sorted(r.change.value for r in results) == ["new", "unchanged", "unchanged", "unchanged"]


async def test_a_signal_counts_each_source_once_however_often_it_is_seen(store: Store) -> None:
    assert (await store.signals.observe(seen(count=1))).change is Change.NEW  # type: ignore[union-attr]
    assert (await store.signals.observe(seen(count=1))).change is Change.UNCHANGED  # type: ignore[union-attr]
    bumped = await store.signals.observe(seen(count=4))
    assert bumped is not None and bumped.change is Change.CHANGED and bumped.record.count == 4
    assert (await store.signals.observe(seen(count=3))).change is Change.UNCHANGED  # type: ignore[union-attr]
    other = await store.signals.observe(seen("uid-2", 2))
    assert other is not None and other.record.count == 6
    recovered = await store.signals.observe(seen(firing=False))
    assert (
        recovered is not None and recovered.change is Change.CHANGED and recovered.record.state == "recovered"
    )
    assert recovered.record.count == 6
    assert await store.signals.observe(seen(firing=False, name="healthy")) is None
    assert await store.signals.firing(cluster="prod") == []
    refired = await store.signals.observe(seen("uid-3", 1))
    assert refired is not None and refired.change is Change.CHANGED and refired.record.count == 7
    assert [s.name for s in await store.signals.firing(cluster="prod", resource="events")] == ["web-1"]


async def test_two_writers_folding_one_signal_count_every_source_once(db_url: str, store: Store) -> None:
    other = await Store.open(db_url)
    try:
        batches = [[seen(f"a-{i}", 1) for i in range(20)], [seen(f"b-{i}", 2) for i in range(20)]]
        await asyncio.gather(store.signals.observe_many(batches[0]), other.signals.observe_many(batches[1]))
        again = await other.signals.observe_many(batches[0][:3] + batches[1][:3])
    finally:
        await other.close()
    assert all(w is not None and w.change is Change.UNCHANGED for w in again)
    (firing,) = await store.signals.firing(cluster="prod")
    assert firing.count == 20 * 1 + 20 * 2


async def test_many_sources_are_folded_without_losing_their_counts(store: Store) -> None:
    for i in range(100):
        await store.signals.observe(seen(f"uid-{i}", 2))
    for i in range(40, 100):  # the recently seen ones are still known one by one
        again = await store.signals.observe(seen(f"uid-{i}", 2))
        assert again is not None and again.change is Change.UNCHANGED
    last = await store.signals.observe(seen("uid-99", 3))
    assert last is not None and last.record.count == 201


async def test_a_card_is_claimed_once_posted_then_updated_in_place(store: Store) -> None:
    stale = dt.timedelta(minutes=2)
    key = {"platform": "slack", "channel": "C1", "subject": "alert:f00d"}
    claim, card = await store.notifications.claim(**key, owner="a", stale_after=stale)
    assert claim is Claim.NEW and card.ref is None
    assert (await store.notifications.claim(**key, owner="b", stale_after=stale))[0] is Claim.BUSY
    assert (await store.notifications.claim(**key, owner="a", stale_after=stale))[
        0
    ] is Claim.NEW  # its own retry
    posted = await store.notifications.posted(
        card, ref={"channel": "C1", "ts": "1.2"}, count=1, state="firing"
    )
    claim, again = await store.notifications.claim(**key, owner="b", stale_after=stale)
    assert claim is Claim.POSTED and again.ref == {"channel": "C1", "ts": "1.2"} and again.count == 1
    shown = await store.notifications.shown(posted, count=3, state="firing")
    assert shown is not None and shown.count == 3
    assert await store.notifications.shown(posted, count=4, state="firing") is None  # stale version


async def test_a_claim_left_by_a_dead_poster_is_taken_over(store: Store) -> None:
    key = {"platform": "discord", "channel": "42", "subject": "signal:x"}
    await store.notifications.claim(**key, owner="dead", stale_after=dt.timedelta(minutes=2))
    claim, card = await store.notifications.claim(**key, owner="alive", stale_after=dt.timedelta(0))
    assert claim is Claim.NEW and card.claimed_by == "alive"


async def test_a_claim_whose_poster_lease_lapsed_is_taken_over_at_once(store: Store) -> None:
    key = {"platform": "slack", "channel": "C1", "subject": "signal:killed"}
    now = dt.datetime.now(dt.UTC)
    await store.instances.register(
        InstanceRecord("killed-9", "host", 4242, now, now + dt.timedelta(minutes=1))
    )
    await store.instances.register(InstanceRecord("live", "host", 4343, now, now + dt.timedelta(minutes=1)))
    stale = dt.timedelta(minutes=2)
    await store.notifications.claim(**key, owner="killed-9", stale_after=stale)
    assert (await store.notifications.claim(**key, owner="live", stale_after=stale))[0] is Claim.BUSY
    await store.instances.renew("killed-9", now - dt.timedelta(seconds=1))  # its lease ran out: it is gone
    claim, card = await store.notifications.claim(**key, owner="live", stale_after=stale)
    assert claim is Claim.NEW and card.claimed_by == "live"


async def test_racing_claims_give_one_poster(db_url: str, store: Store) -> None:
    others = [await Store.open(db_url) for _ in range(3)]
    try:
        claims = await asyncio.gather(
            *(
                s.notifications.claim(
                    platform="slack",
                    channel="C1",
                    subject="alert:x",
                    owner=f"o{i}",
                    stale_after=dt.timedelta(minutes=2),
                )
                for i, s in enumerate([store, *others])
            )
        )
    finally:
        await asyncio.gather(*(s.close() for s in others))
    assert sorted(c.value for c, _ in claims) == ["busy", "busy", "busy", "new"]


async def test_watch_positions_are_kept_per_cluster_and_watch(store: Store) -> None:
    await store.watch_positions.save("prod", "pods", "100")
    await store.watch_positions.save("prod", "pods", "140")
    await store.watch_positions.save("prod", "events@shop", "120")
    await store.watch_positions.save("staging", "pods", "7")
    assert await store.watch_positions.load("prod") == {"pods": "140", "events@shop": "120"}
