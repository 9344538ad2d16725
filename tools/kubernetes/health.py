"""READ operations over the whole cluster: `k8s_health` and `k8s_top`.

Health: nodes ready or not (with reasons), pressure conditions, the server
version and the pods not running, counted by namespace. Top: CPU and memory
from metrics.k8s.io, with a plain sentence when metrics-server is absent.
Nothing here writes.
"""

from __future__ import annotations

import collections
import re
from typing import Any, Literal

from pydantic import Field, field_validator

from tools.base import (
    ClusterArgs,
    CommandSpec,
    NamespacedArgs,
    Operation,
    OperationResult,
    RunContext,
    Safety,
    Status,
    Table,
)
from tools.kubernetes.common import Kube, guard, meta
from tools.kubernetes.errors import KubeError, NotFound
from tools.kubernetes.kinds import ResourceKind, kind_for, normalise_kind
from tools.kubernetes.render import node_ready
from tools.kubernetes.summarise import collect

_PRESSURE = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)([a-zA-Z]*)$")
_SCALE = {
    "n": 1e-9,
    "u": 1e-6,
    "m": 1e-3,
    "": 1.0,
    "k": 1e3,
    "M": 1e6,
    "G": 1e9,
    "T": 1e12,
    "Ki": 1024.0,
    "Mi": 1024.0**2,
    "Gi": 1024.0**3,
    "Ti": 1024.0**4,
}
POD_METRICS = ResourceKind("podmetrics", "PodMetrics", "pods", "metrics.k8s.io", "v1beta1")
NODE_METRICS = ResourceKind(
    "nodemetrics", "NodeMetrics", "nodes", "metrics.k8s.io", "v1beta1", namespaced=False
)


def quantity(value: Any) -> float:
    match = _QUANTITY.match(str(value or "0"))
    return float(match.group(1)) * _SCALE.get(match.group(2), 1.0) if match else 0.0


class TopArgs(NamespacedArgs):
    kind: Literal["pod", "node"] = Field(default="pod", description="pod or node")
    name: str | None = Field(default=None, max_length=253, description="one pod or node; default: all")
    all_namespaces: bool = Field(default=False, description="pods of every namespace")
    containers: bool = Field(default=False, description="one row per container (pods)")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> object:
        return normalise_kind(value)


def _per_container(items: list[dict[str, Any]], *, header: str, all_namespaces: bool) -> OperationResult:
    """`kubectl top pods --containers`: POD, NAME, CPU, MEMORY for each container."""
    rows = []
    for item in items:
        pod = str(meta(item).get("name"))
        if all_namespaces:
            pod = f"{meta(item).get('namespace')}/{pod}"
        for container in item.get("containers") or []:
            usage = container.get("usage") or {}
            cpu, mem = quantity(usage.get("cpu")), quantity(usage.get("memory"))
            rows.append((cpu, mem, pod, str(container.get("name"))))
    if not rows:
        return OperationResult(status=Status.NO_DATA, text=f"{header}\nno metrics yet")
    rows.sort(reverse=True)
    table = Table(
        ("POD", "NAME", "CPU(m)", "MEMORY(Mi)"),
        tuple((p, n, f"{c * 1000:.0f}", f"{m / 1024**2:.0f}") for c, m, p, n in rows[:100]),
    )
    return OperationResult(status=Status.OK, text=f"{header}\n{len(rows)} containers by CPU", table=table)


def health_operations(kube: Kube) -> list[Operation]:
    @guard
    async def health(args: ClusterArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx, all_namespaces=True)
        lines = [f"{scope.cluster} / all namespaces"]
        try:
            version = await scope.client.json("GET", "/version")
            lines.append(f"Kubernetes {version.get('gitVersion', '?')}")
        except KubeError:
            lines.append("Kubernetes version unknown")
        nodes_page = await kube.attempt(
            scope,
            scope.action("list", kind_for("node")),
            kind_for("node"),
            scope.client.list_page(kind_for("node"), None, limit=500),
        )
        nodes = nodes_page.get("items") or []
        bad_nodes = []
        pressure = []
        for node in nodes:
            name = meta(node).get("name")
            ok, reason = node_ready(node)
            if not ok:
                bad_nodes.append(f"{name} ({reason})")
            for c in (node.get("status") or {}).get("conditions") or []:
                if c.get("type") in _PRESSURE and c.get("status") == "True":
                    pressure.append(f"{name}: {c.get('type')}")
        lines.append(
            f"Nodes: {len(nodes) - len(bad_nodes)} of {len(nodes)} ready"
            + (f"; not ready: {', '.join(bad_nodes[:20])}" if bad_nodes else "")
        )
        lines.append("Pressure: " + (", ".join(pressure[:20]) if pressure else "none"))
        pods = await kube.attempt(
            scope,
            scope.action("list", kind_for("pod")),
            kind_for("pod"),
            collect(scope.client, kind_for("pod"), None, keep=0, readable=ctx.readable),
        )
        by_ns = collections.Counter(label.split("/", 1)[0] for label, _ in pods.unhealthy)
        lines.append(f"Pods: {pods.total} total, {pods.unhealthy_total} not running or not ready")
        rows = tuple(
            (ns, str(n), ", ".join(sorted({r for lab, r in pods.unhealthy if lab.startswith(ns + "/")})))
            for ns, n in by_ns.most_common(30)
        )
        healthy = not bad_nodes and not pressure and not pods.unhealthy_total
        lines.append("Cluster looks healthy." if healthy else "Needs attention; see the table and !diagnose.")
        return OperationResult(
            status=Status.OK,
            text="\n".join(lines),
            table=Table(("NAMESPACE", "PODS NOT OK", "REASONS"), rows) if rows else None,
            data={
                "nodes": len(nodes),
                "nodes_not_ready": len(bad_nodes),
                "pods": pods.total,
                "pods_not_ok": pods.unhealthy_total,
            },
        )

    @guard
    async def top(args: TopArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx, all_namespaces=args.all_namespaces or args.kind == "node")
        metrics = POD_METRICS if args.kind == "pod" else NODE_METRICS
        try:
            page = await scope.client.list_page(metrics, scope.namespace, limit=1000)
        except NotFound:
            return OperationResult(
                status=Status.NO_DATA,
                text=f"cluster {scope.cluster} has no metrics API (metrics.k8s.io): "
                "metrics-server is not installed, so top is unavailable; install metrics-server to use it",
            )
        except KubeError as error:
            return OperationResult(
                status=Status.ERROR,
                text=await kube.explain(error, scope, scope.action("list", metrics), metrics),
            )
        items = [i for i in page.get("items") or [] if args.name in (None, meta(i).get("name"))]
        if args.containers and args.kind == "pod":
            return _per_container(items, header=scope.header, all_namespaces=scope.namespace is None)
        rows = []
        for item in items:
            if args.kind == "pod":
                usage = [c.get("usage") or {} for c in item.get("containers") or []]
                cpu = sum(quantity(u.get("cpu")) for u in usage)
                mem = sum(quantity(u.get("memory")) for u in usage)
            else:
                cpu, mem = (
                    quantity((item.get("usage") or {}).get("cpu")),
                    quantity((item.get("usage") or {}).get("memory")),
                )
            name = str(meta(item).get("name"))
            if args.kind == "pod" and scope.namespace is None:
                namespace = str(meta(item).get("namespace") or "")
                if ctx.readable is not None and not ctx.readable(namespace):
                    continue
                name = f"{namespace}/{name}"
            rows.append((cpu, mem, name))
        if not rows:
            what = f"{args.kind} {args.name}" if args.name else "anything"
            return OperationResult(status=Status.NO_DATA, text=f"{scope.header}\nno metrics yet for {what}")
        rows.sort(reverse=True)
        table = Table(
            ("NAME", "CPU(m)", "MEMORY(Mi)"),
            tuple((n, f"{c * 1000:.0f}", f"{m / 1024**2:.0f}") for c, m, n in rows[:100]),
        )
        return OperationResult(
            status=Status.OK, text=f"{scope.header}\n{len(rows)} {args.kind}s by CPU", table=table
        )

    return [
        Operation(
            name="k8s_health",
            description="Summarise cluster health: nodes, pressure, failing pods.",
            safety=Safety.READ,
            args_model=ClusterArgs,
            run=health,
            command=CommandSpec(words=("health",)),
        ),
        Operation(
            name="k8s_top",
            description="Show CPU and memory use of pods or nodes.",
            safety=Safety.READ,
            args_model=TopArgs,
            run=top,
            command=CommandSpec(
                words=("top",),
                positionals=("kind", "name"),
                aliases={"-n": "namespace", "-A": "all_namespaces"},
            ),
        ),
    ]
