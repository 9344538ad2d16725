"""The leader's cluster watch against the fake API: a crash-looping pod is one card, updated in place
and closed when it recovers; dropped connections and a compacted resourceVersion (410) lose no event
and post none twice; a burst of 1,000 Warning events across 100 objects ends in at most the flood
limit of new cards plus one summary, with correct counts; a new leader resumes from the stored
position without repeating or losing anything."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.alerts.conftest import World, open_world
from tests.alerts.fake_surface import FakeSurface
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_k8s import builders as b
from tests.fake_k8s.podstatus import pod_status
from tests.fake_k8s.resources import resource_for_kind
from tests.fake_k8s.server import FakeKubernetes
from tests.kubernetes.watch_helpers import bump
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.watch import Backoff

NS = "shop"
PODS = resource_for_kind("Pod")
CHANNEL = "C-SHOP"


@dataclasses.dataclass
class QuickBackoff(Backoff):
    base_s: float = 0.01
    cap_s: float = 0.05


def watch_settings(*kinds: str, limit: int = 50) -> dict[str, Any]:
    return {
        "watch": {"enabled": True, "kinds": list(kinds), "namespaces": [NS], "timeout_s": 60},
        "routes": [{"match": [f"namespace={NS}"], "places": [{"platform": "slack", "channel": CHANNEL}]}],
        "flood": {"new_cards_per_minute": limit, "window_s": 3600},
    }


@pytest.fixture
async def open_replica(
    database_url: str,
    fake_cluster_set: ClusterSet,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
) -> AsyncIterator[Any]:
    fake_k8s.add(b.namespace(NS))
    opened: list[tuple[World, Any]] = []

    async def open_one(*kinds: str, surface: FakeSurface | None = None, limit: int = 50) -> World:
        world, runner = await open_world(
            database_url,
            fake_cluster_set,
            fake_alertmanager,
            surface=surface,
            **watch_settings(*kinds, limit=limit),
        )
        world.service.backoff = QuickBackoff
        opened.append((world, runner))
        return world

    yield open_one
    for world, runner in opened:
        await world.service.stop()
        await runner.cleanup()
        await world.app.close()


def crashing_pod(name: str, *, restarts: int, mode: str = "crashloop") -> dict[str, Any]:
    container = b.container(name, "ghcr.io/example/shop:1.0")
    status = pod_status({"containers": [container]}, mode=mode, restarts=restarts)  # type: ignore[arg-type]
    return b.pod(name, NS, containers=[container], labels={"app": name}, node_name="node-1", status=status)


def warning(fake: FakeKubernetes, pod: str, n: int = 0) -> dict[str, Any]:
    message = f"Readiness probe failed: HTTP probe failed with statuscode: 503 (#{n})"
    return fake.add(b.event(NS, kind="Pod", name=pod, reason="Unhealthy", message=message, count=1))


def counted(surface: FakeSurface) -> dict[str, str]:
    """Each card's object → how often it says it happened (summaries left out)."""
    return {
        r.text.split("Pod shop/")[1].split(" ")[0]: str(surface.field(r, "Seen"))
        for r in surface.messages(CHANNEL)
        if "Pod shop/" in r.text
    }


async def test_a_crash_looping_pod_is_one_card_updated_then_closed(
    fake_k8s: FakeKubernetes, open_replica: Any
) -> None:
    world = await open_replica("pods")
    fake_k8s.add(crashing_pod("checkout", restarts=3))
    await world.service.round()
    await world.surface.wait_for(lambda s: len(s.posts) == 1)
    (card,) = world.surface.messages(CHANNEL)
    assert card.text == "CrashLoopBackOff: Pod shop/checkout (cluster fake)"
    assert world.surface.field(card, "Seen") == "3 times"
    assert "back-off 5m0s restarting failed container=checkout" in str(world.surface.field(card, "Message"))

    current = fake_k8s.get("Pod", NS, "checkout")
    assert current is not None
    containers = {"containers": current["spec"]["containers"]}
    fake_k8s.cluster.store.put(
        PODS, {**current, "status": pod_status(containers, mode="crashloop", restarts=5)}
    )
    await world.surface.wait_for(lambda s: s.field(s.messages(CHANNEL)[0], "Seen") == "5 times")
    fake_k8s.cluster.store.put(PODS, {**current, "status": pod_status(containers, mode="running")})
    await world.surface.wait_for(lambda s: s.messages(CHANNEL)[0].text.startswith("Recovered"))
    assert len(world.surface.posts) == 1 and len(world.surface.updates) == 2


async def test_drops_and_a_compacted_version_lose_nothing_and_post_nothing_twice(
    fake_k8s: FakeKubernetes, open_replica: Any
) -> None:
    world = await open_replica("events")
    await world.service.round()
    await fake_k8s.watch.wait_streams(1)
    first = [warning(fake_k8s, f"web-{i}") for i in range(10)]
    await world.surface.wait_for(lambda s: len(s.posts) == 10)

    fake_k8s.watch.drop_after(3)  # the next stream is cut in the middle of its fourth event
    fake_k8s.watch.drop_all()
    await fake_k8s.watch.wait_streams(1)
    for event in first[:5]:
        bump(fake_k8s, event)
    second = [warning(fake_k8s, f"api-{i}") for i in range(5)]
    await world.surface.wait_for(
        lambda s: len(s.posts) == 15 and sum(v == "2 times" for v in counted(s).values()) == 5
    )

    rule = fake_k8s.forbid(verb="watch", resource="events")  # keep the watch away while history goes
    fake_k8s.watch.drop_all()
    for event in first[5:]:
        bump(fake_k8s, event)
    for event in second:
        bump(fake_k8s, bump(fake_k8s, event))
    third = [warning(fake_k8s, f"db-{i}") for i in range(5)]
    fake_k8s.watch.compact()
    fake_k8s.access.rules.remove(rule)
    expected = {
        **{f"web-{i}": "2 times" for i in range(10)},
        **{f"api-{i}": "3 times" for i in range(5)},
        **{f"db-{i}": "once" for i in range(5)},
    }
    await world.surface.wait_for(lambda s: counted(s) == expected)

    subjects = [p.reply.text for p in world.surface.posts]
    assert len(subjects) == len(set(subjects)) == 20 == len(first) + len(second) + len(third)
    restarts = world.app.metrics.watch_restarts
    assert restarts.labels("fake", "events", "expired")._value.get() == 1
    assert restarts.labels("fake", "events", "dropped")._value.get() >= 2


async def test_a_burst_of_a_thousand_warnings_is_held_to_the_flood_limit(
    fake_k8s: FakeKubernetes, open_replica: Any
) -> None:
    world = await open_replica("events", limit=10)
    await world.service.round()
    await fake_k8s.watch.wait_streams(1)
    for n in range(10):
        for pod in range(100):
            warning(fake_k8s, f"pod-{pod:03d}", n)

    def settled(surface: FakeSurface) -> bool:
        summaries = [r for r in surface.messages(CHANNEL) if r.text.startswith("Flood control")]
        return (
            bool(summaries)
            and "(900 events in all)" in summaries[0].text
            and set(counted(surface).values()) == {"10 times"}
        )

    await world.surface.wait_for(settled, timeout=60)
    cards = world.surface.messages(CHANNEL)
    (summary,) = [r for r in cards if r.text.startswith("Flood control")]
    assert "90 more problems in this channel" in summary.text
    assert counted(world.surface) == {f"pod-{i:03d}": "10 times" for i in range(10)}
    assert len(world.surface.posts) == 11
    held = world.app.metrics.alert_cards_suppressed.labels("slack")._value.get()
    assert held >= 90


async def test_a_new_leader_resumes_where_the_last_one_stopped(
    fake_k8s: FakeKubernetes, open_replica: Any
) -> None:
    first = await open_replica("events")
    await first.service.round()
    await fake_k8s.watch.wait_streams(1)
    early = [warning(fake_k8s, f"web-{i}") for i in range(5)]
    await first.surface.wait_for(lambda s: len(s.posts) == 5)
    await first.service.stop()  # the leader goes (its lock with it); its positions stay in the database
    await first.app.store.leadership.release()
    handled = await first.app.store.watch_positions.load("fake")

    bump(fake_k8s, early[0])
    late = [warning(fake_k8s, f"api-{i}") for i in range(3)]
    second = await open_replica("events", surface=first.surface)
    await second.service.round()
    await first.surface.wait_for(lambda s: len(s.posts) == 8 and counted(s).get("web-0") == "2 times")
    assert fake_k8s.watch.requests[-1]["resourceVersion"] == handled["events@shop"]
    assert len({p.reply.text for p in first.surface.posts}) == 8 == len(early) + len(late)
