"""Logs of several pods at once: `!logs deployment/web`, `!logs -l app=web --grep ERROR`.

The pods come from a workload's selector or a label selector; each pod's lines are read
with the API's timestamps (at most `MAX_PODS` pods, each its own tail), merged in time
order with the pod named on each line (`[web-7d4-abc] …`), filtered, redacted and cut to
the output budget like single-pod logs. Reads only.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from typing import Any

from tools.kubernetes.common import Explained, Kube, Scope, meta
from tools.kubernetes.errors import KubeError
from tools.kubernetes.kinds import kind_for

MAX_PODS = 10
LIMIT_BYTES = 1024 * 1024


@dataclasses.dataclass(frozen=True)
class Found:
    """The pods whose logs are read, and how they were chosen."""

    pods: tuple[dict[str, Any], ...]
    total: int
    described: str  # "deployment/web" or "pods with app=web"


def selector_of(obj: Mapping[str, Any]) -> str | None:
    """A workload's `spec.selector.matchLabels` as a label selector (None without one)."""
    labels = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items())) or None


async def find_pods(kube: Kube, scope: Scope, *, kind: str, name: str | None, selector: str | None) -> Found:
    pods = kind_for("pod")
    described = f"pods with {selector}"
    if selector is None and name is not None:
        workload = kind_for(kind)
        obj = await kube.attempt(
            scope,
            scope.action("get", workload, name),
            workload,
            scope.client.get(workload, name, scope.namespace),
        )
        selector = selector_of(obj)
        if selector is None:
            raise Explained(f"{kind}/{name} has no label selector to find its pods by")
        described = f"{kind}/{name}"
    page = await kube.attempt(
        scope,
        scope.action("list", pods),
        pods,
        scope.client.list_page(pods, scope.namespace, label_selector=selector, limit=500),
    )
    items = sorted(page.get("items") or [], key=lambda p: str(meta(p).get("name")))
    return Found(pods=tuple(items[:MAX_PODS]), total=len(items), described=described)


def _split_timestamp(line: str) -> tuple[str, str]:
    stamp, _, text = line.partition(" ")
    return (stamp, text) if stamp[:2].isdigit() and "T" in stamp else ("", line)


async def merged_lines(
    scope: Scope,
    found: Found,
    *,
    container: str | None,
    tail: int,
    since_seconds: int | None,
    previous: bool,
) -> tuple[list[str], list[str]]:
    """Every pod's lines in time order, each naming its pod; and the pods that could not be read."""

    async def read(pod: dict[str, Any]) -> tuple[str, str | None]:
        name = str(meta(pod).get("name"))
        names = [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or []]
        if container is not None and container not in names:
            return name, None
        try:
            raw = await scope.client.pod_log(
                name,
                str(meta(pod).get("namespace") or scope.namespace),
                container=container,
                tail=tail,
                since_seconds=since_seconds,
                previous=previous,
                limit_bytes=LIMIT_BYTES,
                timestamps=True,
            )
        except KubeError:
            return name, None
        return name, raw

    results = await asyncio.gather(*(read(p) for p in found.pods))
    stamped: list[tuple[str, int, str]] = []
    failed: list[str] = []
    for order, (name, raw) in enumerate(results):
        if raw is None:
            failed.append(name)
            continue
        for line in raw.splitlines():
            stamp, text = _split_timestamp(line)
            stamped.append((stamp, order, f"[{name}] {text}"))
    stamped.sort(key=lambda item: (item[0], item[1]))
    return [line for _, _, line in stamped], failed
