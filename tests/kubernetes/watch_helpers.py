"""Running `ClusterWatch` against the fake API server and reading what it delivered."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Callable
from typing import Any

from tests.fake_k8s import builders as b
from tests.fake_k8s.resources import resource_for_kind
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.watch import Backoff, Change, WatchItem


def quick_backoff() -> Backoff:
    return Backoff(base_s=0.01, cap_s=0.05)


class Collected:
    """Everything one queue delivered, read on demand."""

    def __init__(self, queue: asyncio.Queue[WatchItem]) -> None:
        self.queue = queue
        self.items: list[WatchItem] = []

    async def until(
        self, done: Callable[[list[WatchItem]], bool], *, timeout: float = 15.0
    ) -> list[WatchItem]:
        async with asyncio.timeout(timeout):
            while not done(self.items):
                self.items.append(await self.queue.get())
        return self.items

    def of(self, kind: type[Any]) -> list[Any]:
        return [item for item in self.items if isinstance(item, kind)]

    def changes(self) -> list[Change]:
        return self.of(Change)


def warning(fake: FakeKubernetes, pod: str, *, reason: str = "BackOff", ns: str = "prod") -> dict[str, Any]:
    """A new Warning Event about `pod` (count 1)."""
    return fake.add(b.event(ns, kind="Pod", name=pod, reason=reason, message=f"{reason} on {pod}", count=1))


def bump(fake: FakeKubernetes, event: dict[str, Any]) -> dict[str, Any]:
    """The same Event seen once more (count + 1), as the kubelet's aggregation does it."""
    rt = resource_for_kind("Event")
    current = fake.get("Event", event["metadata"]["namespace"], event["metadata"]["name"])
    assert current is not None
    updated = copy.deepcopy(current)
    updated["count"] = int(updated.get("count") or 1) + 1
    return fake.cluster.store.put(rt, updated)
