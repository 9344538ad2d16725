"""READ operation `k8s_resources`: requests and limits against measured usage.

For each running pod it adds up container requests and limits (CPU and
memory) and compares them with metrics.k8s.io usage; for each node it adds up
the requests and limits scheduled on it against its allocatable capacity and
reads its pressure conditions. Findings are deterministic (no LLM): pods
without requests, idle pods (using under a fifth of their CPU request),
pods above their requests, pods close to their memory limit (OOM risk), and
over-committed or pressured nodes. `!analyze` builds on it. Nothing here writes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import Field

from tools.base import (
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
from tools.kubernetes.errors import NotFound
from tools.kubernetes.health import _PRESSURE, POD_METRICS, quantity
from tools.kubernetes.kinds import kind_for

IDLE_SHARE = 0.2
MEMORY_LIMIT_SHARE = 0.9
MAX_FINDINGS = 40


class ResourcesArgs(NamespacedArgs):
    all_namespaces: bool = Field(default=False, description="every namespace")


@dataclasses.dataclass
class PodFigures:
    name: str
    node: str
    cpu_request: float = 0.0
    cpu_limit: float = 0.0
    mem_request: float = 0.0
    mem_limit: float = 0.0
    cpu_used: float | None = None
    mem_used: float | None = None


def pod_figures(pod: dict[str, Any], label: str) -> PodFigures:
    spec = pod.get("spec") or {}
    figures = PodFigures(name=label, node=str(spec.get("nodeName") or "-"))
    for container in spec.get("containers") or []:
        resources = container.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        figures.cpu_request += quantity(requests.get("cpu"))
        figures.mem_request += quantity(requests.get("memory"))
        figures.cpu_limit += quantity(limits.get("cpu"))
        figures.mem_limit += quantity(limits.get("memory"))
    return figures


def pod_findings(p: PodFigures) -> list[str]:
    found = []
    if p.cpu_request == 0 and p.mem_request == 0:
        found.append("no CPU or memory requests: the scheduler cannot place it well")
    if p.cpu_used is None or p.mem_used is None:
        return found
    if p.cpu_request and p.cpu_used < IDLE_SHARE * p.cpu_request:
        found.append(f"idle: uses {p.cpu_used * 1000:.0f}m of {p.cpu_request * 1000:.0f}m CPU requested")
    if p.cpu_request and p.cpu_used > p.cpu_request:
        found.append(
            f"above its CPU request: {p.cpu_used * 1000:.0f}m used, {p.cpu_request * 1000:.0f}m requested"
        )
    if p.mem_request and p.mem_used > p.mem_request:
        found.append(f"above its memory request: {mib(p.mem_used)} used, {mib(p.mem_request)} requested")
    if p.mem_limit and p.mem_used >= MEMORY_LIMIT_SHARE * p.mem_limit:
        found.append(f"near its memory limit (OOM risk): {mib(p.mem_used)} of {mib(p.mem_limit)}")
    return found


def mib(value: float) -> str:
    return f"{value / 1024**2:.0f}Mi"


def node_findings(node: dict[str, Any], pods: list[PodFigures]) -> list[str]:
    name = str(meta(node).get("name"))
    allocatable = (node.get("status") or {}).get("allocatable") or {}
    cpu, mem = quantity(allocatable.get("cpu")), quantity(allocatable.get("memory"))
    mine = [p for p in pods if p.node == name]
    found = []
    for condition in (node.get("status") or {}).get("conditions") or []:
        if condition.get("type") in _PRESSURE and condition.get("status") == "True":
            found.append(
                f"{condition.get('type')}: {condition.get('message') or condition.get('reason') or ''}".strip()
            )
    limits_cpu, limits_mem = sum(p.cpu_limit for p in mine), sum(p.mem_limit for p in mine)
    if cpu and limits_cpu > cpu:
        found.append(f"CPU limits over-committed: {limits_cpu * 1000:.0f}m of {cpu * 1000:.0f}m allocatable")
    if mem and limits_mem > mem:
        found.append(f"memory limits over-committed: {mib(limits_mem)} of {mib(mem)} allocatable")
    return found


def resources_operations(kube: Kube) -> list[Operation]:
    pods_kind, nodes_kind = kind_for("pod"), kind_for("node")

    @guard
    async def resources(args: ResourcesArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx, all_namespaces=args.all_namespaces)
        pods: list[PodFigures] = []
        token: str | None = None
        while True:  # page through: memory stays bounded on big clusters
            page = await scope.client.list_page(pods_kind, scope.namespace, limit=500, continue_token=token)
            for pod in page.get("items") or []:
                if (pod.get("status") or {}).get("phase") != "Running":
                    continue
                m = meta(pod)
                if (
                    scope.namespace is None
                    and ctx.readable is not None
                    and not ctx.readable(str(m.get("namespace") or ""))
                ):
                    continue
                label = str(m.get("name")) if scope.namespace else f"{m.get('namespace')}/{m.get('name')}"
                pods.append(pod_figures(pod, label))
            token = (page.get("metadata") or {}).get("continue") or None
            if token is None:
                break
        metrics_note = ""
        try:
            usage = await scope.client.list_page(POD_METRICS, scope.namespace, limit=5000)
            by_name = {}
            for item in usage.get("items") or []:
                m = meta(item)
                label = str(m.get("name")) if scope.namespace else f"{m.get('namespace')}/{m.get('name')}"
                containers = [c.get("usage") or {} for c in item.get("containers") or []]
                by_name[label] = (
                    sum(quantity(u.get("cpu")) for u in containers),
                    sum(quantity(u.get("memory")) for u in containers),
                )
            for p in pods:
                if p.name in by_name:
                    p.cpu_used, p.mem_used = by_name[p.name]
        except NotFound:
            metrics_note = (
                "\nmetrics-server is not installed: usage is unknown, only requests and limits are checked"
            )
        nodes = (await scope.client.list_page(nodes_kind, None, limit=1000)).get("items") or []
        rows: list[tuple[str, str, str]] = []
        for node in nodes:
            rows += [("node", str(meta(node).get("name")), f) for f in node_findings(node, pods)]
        for p in pods:
            rows += [("pod", p.name, f) for f in pod_findings(p)]
        summary = (
            f"{scope.header}\n{len(pods)} running pod(s), {len(nodes)} node(s): "
            f"{len(rows)} finding(s)" + (f", showing {MAX_FINDINGS}" if len(rows) > MAX_FINDINGS else "")
        )
        if not rows:
            return OperationResult(status=Status.OK, text=summary + "; nothing stands out" + metrics_note)
        return OperationResult(
            status=Status.OK,
            text=summary + metrics_note,
            table=Table(("KIND", "NAME", "FINDING"), tuple(rows[:MAX_FINDINGS])),
            data={"pods": len(pods), "nodes": len(nodes), "findings": len(rows)},
        )

    return [
        Operation(
            name="k8s_resources",
            description="Compare pod requests/limits with usage; find idle, over-committed or pressured workloads.",
            safety=Safety.READ,
            args_model=ResourcesArgs,
            run=resources,
            command=CommandSpec(words=("resources",), aliases={"-A": "all_namespaces"}),
        )
    ]
