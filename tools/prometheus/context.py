"""What the usage questions know of the cluster: rollout times, and metrics-server's figures.

Rollout markers come from a deployment's ReplicaSets (their revision and
creation time). Without Prometheus, the usage questions fall back to the
current figures of metrics-server (metrics.k8s.io). Read-only; never raises
into an operation (a failure means no markers, or a sentence).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from tools.base import NamespacedArgs, RunContext
from tools.kubernetes.common import Kube, meta
from tools.kubernetes.errors import KubeError, NotFound
from tools.kubernetes.health import NODE_METRICS, POD_METRICS, quantity
from tools.kubernetes.kinds import kind_for
from tools.kubernetes.render import parse_time
from tools.kubernetes.rollout import revisions
from tools.prometheus.chart import Marker
from tools.prometheus.queries import Kind


async def rollout_markers(
    kube: Kube, args: NamespacedArgs, ctx: RunContext, *, kind: Kind, name: str, since: dt.datetime
) -> list[Marker]:
    """The deployment's revisions created after `since` (a pod's markers need its owner: none)."""
    if kind != "deployment":
        return []
    try:
        scope = await kube.scope(args, ctx)
        deployment = await scope.client.get(kind_for("deployment"), name, scope.namespace)
        history = await revisions(scope, deployment)
    except (KubeError, LookupError):
        return []
    markers = []
    for revision, replicaset in history:
        created = parse_time(meta(replicaset).get("creationTimestamp"))
        if created is not None and created >= since:
            markers.append(Marker(created, f"rollout rev {revision}"))
    return sorted(markers, key=lambda m: m.when)


def parse_around(text: str, markers: list[Marker]) -> dt.datetime:
    """`--around` as `rollout` (the latest), `rev N`/`N` (a revision) or an ISO time."""
    value = text.strip().lower()
    wanted = re.fullmatch(r"(?:rev(?:ision)?\s*)?(\d+)", value)
    if value in ("rollout", "latest", "deploy"):
        if not markers:
            raise ValueError("there is no rollout in that time range to compare around; give a time instead")
        return markers[-1].when
    if wanted:
        label = f"rollout rev {wanted.group(1)}"
        found = [m.when for m in markers if m.label == label]
        if not found:
            raise ValueError(f"revision {wanted.group(1)} was not rolled out in that time range")
        return found[0]
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"--around {text!r} is neither 'rollout', a revision number nor an ISO time (2026-12-01T14:00)"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@dataclasses.dataclass(frozen=True)
class CurrentFigures:
    cpu_cores: float
    memory_bytes: float
    pods: int


_POD_NAME = {
    "deployment": r"{name}-[a-z0-9]{{6,10}}-[a-z0-9]{{5}}",
    "statefulset": r"{name}-[0-9]+",
    "daemonset": r"{name}-[a-z0-9]{{5}}",
    "pod": r"{name}",
}


async def current_figures(
    kube: Kube, args: NamespacedArgs, ctx: RunContext, *, kind: Kind, name: str
) -> CurrentFigures | str:
    """metrics-server's current CPU and memory of the workload, or the sentence why not."""
    try:
        scope = await kube.scope(args, ctx, all_namespaces=kind == "node")
        if kind == "node":
            node = await scope.client.get(NODE_METRICS, name, None)
            usage = node.get("usage") or {}
            return CurrentFigures(quantity(usage.get("cpu")), quantity(usage.get("memory")), 0)
        namespace = name if kind == "namespace" else scope.namespace
        page = await scope.client.list_page(POD_METRICS, namespace, limit=1000)
    except NotFound:
        return (
            "metrics-server is not installed either (no metrics.k8s.io API), so there are no figures at all"
        )
    except (KubeError, LookupError) as error:
        return str(error)
    pattern = re.compile(_POD_NAME[kind].format(name=re.escape(name))) if kind in _POD_NAME else None
    cpu = memory = 0.0
    pods = 0
    for item in page.get("items") or []:
        if pattern is not None and not pattern.fullmatch(str(meta(item).get("name"))):
            continue
        pods += 1
        for container in item.get("containers") or []:
            usage = container.get("usage") or {}
            cpu += quantity(usage.get("cpu"))
            memory += quantity(usage.get("memory"))
    if pods == 0:
        return f"metrics-server has no figures for {kind} {name}; check the name and namespace"
    return CurrentFigures(cpu, memory, pods)
