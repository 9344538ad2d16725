"""Watch subscriptions and the closing of Event signals on SQLite and PostgreSQL: a subscription is
one row per (place, cluster, namespace), replaced when made again; an Event signal closes once when
quiet or when its object is gone (racing closers: one wins), stays closed when the same occurrence
is seen again, and opens again on a new one."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

from storage import Store
from storage.alert_records import Change, SignalInput

T0 = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


def seen(
    name: str = "web-1",
    *,
    source: str = "ev-1",
    count: int = 1,
    at: dt.datetime = T0,
    resource: str = "events",
) -> SignalInput:
    reason = "BackOff" if resource == "events" else "CrashLoopBackOff"
    return SignalInput("prod", "Pod", "shop", name, reason, resource, True, source, count, "backing off", at)


async def test_a_place_subscribes_once_per_namespace_and_unsubscribes(store: Store) -> None:
    subs = store.watch_subscriptions
    first = await subs.subscribe(
        platform="slack",
        channel="C1",
        cluster="prod",
        namespace="shop",
        kinds=["Pod"],
        reasons=[],
        created_by="u1",
    )
    again = await subs.subscribe(
        platform="slack",
        channel="C1",
        cluster="prod",
        namespace="shop",
        kinds=["Node", "Pod", "Pod"],
        reasons=["BackOff"],
        created_by="u2",
    )
    assert (again.kinds, again.reasons) == (("Node", "Pod"), ("BackOff",))
    assert again.created_by == "u1" and again.created_at == first.created_at
    await subs.subscribe(
        platform="slack", channel="C1", cluster="prod", namespace="", kinds=[], reasons=[], created_by="u1"
    )
    await subs.subscribe(
        platform="discord",
        channel="C1",
        cluster="prod",
        namespace="shop",
        kinds=[],
        reasons=[],
        created_by="u3",
    )
    mine = await subs.for_place(platform="slack", channel="C1")
    assert [(s.cluster, s.namespace) for s in mine] == [("prod", ""), ("prod", "shop")]
    assert len(await subs.all()) == 3
    assert await subs.unsubscribe(platform="slack", channel="C1", cluster="prod", namespace="shop")
    assert not await subs.unsubscribe(platform="slack", channel="C1", cluster="prod", namespace="shop")
    assert [(s.platform, s.namespace) for s in await subs.all()] == [("discord", "shop"), ("slack", "")]


async def test_a_quiet_event_signal_closes_once_and_state_signals_are_left_alone(
    db_url: str, store: Store
) -> None:
    await store.signals.observe_many(
        [seen("old"), seen("recent", at=T0 + dt.timedelta(minutes=20)), seen("crashing", resource="pods")]
    )
    others = [await Store.open(db_url) for _ in range(3)]
    try:
        closers = [
            s.signals.close_quiet(cluster="prod", before=T0 + dt.timedelta(minutes=15))
            for s in [store, *others]
        ]
        results = await asyncio.gather(*closers)
    finally:
        await asyncio.gather(*(s.close() for s in others))
    closed = [record for result in results for record in result]
    assert [(r.name, r.state, r.version) for r in closed] == [("old", "recovered", 2)]
    assert sorted(r.name for r in await store.signals.firing(cluster="prod")) == ["crashing", "recent"]


async def test_a_closed_event_signal_stays_closed_until_a_new_occurrence(store: Store) -> None:
    await store.signals.observe(seen(count=3))
    (closed,) = await store.signals.close_about(cluster="prod", objects=[("Pod", "shop", "web-1")])
    assert closed.state == "recovered"
    assert await store.signals.close_about(cluster="prod", objects=[("Pod", "shop", "web-1")]) == []
    replay = await store.signals.observe(seen(count=3))
    assert replay is not None and replay.change is Change.UNCHANGED and replay.record.state == "recovered"
    later = dataclasses.replace(seen(count=4), at=T0 + dt.timedelta(minutes=1))
    reopened = await store.signals.observe(later)
    assert reopened is not None and reopened.change is Change.CHANGED
    assert (reopened.record.state, reopened.record.count) == ("firing", 4)


async def test_closing_about_an_object_leaves_other_objects_firing(store: Store) -> None:
    await store.signals.observe_many([seen("web-1"), seen("web-2", source="ev-2")])
    closed = await store.signals.close_about(
        cluster="prod", objects=[("Pod", "shop", "web-1"), ("Pod", "other", "web-2")]
    )
    assert [r.name for r in closed] == ["web-1"]
    assert [r.name for r in await store.signals.firing(cluster="prod")] == ["web-2"]
