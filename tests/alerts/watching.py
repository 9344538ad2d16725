"""Helpers for the `!watch` tests: replicas with alerts on against the fake API, commands said in a
channel, crash-looping pods and fresh Warning Events."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from bot.domain.models import Reply
from tests.alerts.conftest import World, open_world
from tests.alerts.fake_surface import FakeSurface
from tests.core.helpers import msg
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_k8s import builders as b
from tests.fake_k8s.podstatus import ago, pod_status
from tests.fake_k8s.resources import resource_for_kind
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.watch import Backoff

NS = "shop"
OPERATOR, VIEWER = "UOPS", "UVIEWER"  # conftest's roles: UOPS operator; anyone else a viewer
OpenReplica = Callable[..., Awaitable[World]]


@dataclasses.dataclass
class QuickBackoff(Backoff):
    base_s: float = 0.01
    cap_s: float = 0.05


@pytest.fixture
async def open_replica(
    database_url: str,
    fake_cluster_set: ClusterSet,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
) -> AsyncIterator[OpenReplica]:
    """Opens replicas on one database (alerts settings as keyword overrides); closes them at the end."""
    fake_k8s.add(b.namespace(NS))
    opened: list[tuple[World, Any]] = []

    async def open_one(*, surface: FakeSurface | None = None, **alerts: Any) -> World:
        alerts.setdefault("watch", {"enabled": False, "timeout_s": 60})
        world, runner = await open_world(
            database_url, fake_cluster_set, fake_alertmanager, surface=surface, **alerts
        )
        world.service.backoff = QuickBackoff
        opened.append((world, runner))
        return world

    yield open_one
    for world, runner in opened:
        await world.service.stop()
        await runner.cleanup()
        await world.app.close()


async def say(
    world: World, text: str, *, channel: str, user: str = OPERATOR, platform: str = "slack"
) -> Reply:
    """What the bot answers `text` said in `channel` (its first reply)."""
    return (await world.app.router.handle(msg(text, user, platform=platform, channel=channel)))[0]


def crashing_pod(name: str, *, ns: str = NS, restarts: int = 3, mode: str = "crashloop") -> dict[str, Any]:
    container = b.container(name, "ghcr.io/example/shop:1.0")
    status = pod_status({"containers": [container]}, mode=mode, restarts=restarts)  # type: ignore[arg-type]
    return b.pod(name, ns, containers=[container], labels={"app": name}, node_name="node-1", status=status)


def healed(fake: FakeKubernetes, name: str, *, ns: str = NS) -> None:
    """The pod runs again."""
    current = fake.get("Pod", ns, name)
    assert current is not None
    containers = {"containers": current["spec"]["containers"]}
    fake.cluster.store.put(
        resource_for_kind("Pod"), {**current, "status": pod_status(containers, mode="running")}
    )


def warning(fake: FakeKubernetes, pod: str, *, reason: str = "Unhealthy", ns: str = NS) -> dict[str, Any]:
    """A Warning Event about `pod` that happened just now."""
    message = f"{reason}: readiness probe failed with statuscode 503"
    return fake.add(b.event(ns, kind="Pod", name=pod, reason=reason, message=message, seconds_ago=0))


def again(fake: FakeKubernetes, event: dict[str, Any]) -> dict[str, Any]:
    """The same Event happening once more now (count + 1, last seen now), as the kubelet reports it."""
    current = fake.get("Event", event["metadata"]["namespace"], event["metadata"]["name"])
    assert current is not None
    updated = copy.deepcopy(current)
    updated["count"] = int(updated.get("count") or 1) + 1
    updated["lastTimestamp"] = ago(0)
    return fake.cluster.store.put(resource_for_kind("Event"), updated)


def titles(surface: FakeSurface, channel: str) -> list[str]:
    """Each card in `channel` as it reads now."""
    return [reply.text for reply in surface.messages(channel)]
