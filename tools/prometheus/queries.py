"""PromQL for the built-in questions: CPU, memory, restarts and network of a workload.

Built from the metric names every Kubernetes Prometheus setup has: cAdvisor's
`container_*` series (usage) and kube-state-metrics' `kube_pod_*` series
(requests, limits, restarts). Names reach PromQL only after DNS-1123
validation, so no label value here can close its string.
"""

from __future__ import annotations

import dataclasses
from typing import Literal

Metric = Literal["cpu", "memory", "restarts", "network"]
Kind = Literal["pod", "deployment", "statefulset", "daemonset", "node", "namespace"]

RATE = "5m"


@dataclasses.dataclass(frozen=True)
class Line:
    """One line of a chart: a label for the legend and its PromQL."""

    label: str
    promql: str
    # Reference lines (requests, limits) are drawn dashed and are not usage.
    reference: bool = False


@dataclasses.dataclass(frozen=True)
class Question:
    metric: Metric
    kind: Kind
    name: str
    namespace: str | None
    unit: str
    lines: tuple[Line, ...]

    @property
    def title(self) -> str:
        where = f" in {self.namespace}" if self.namespace and self.kind not in ("node", "namespace") else ""
        return f"{self.metric} of {self.kind} {self.name}{where}"


def pod_matcher(kind: Kind, name: str, namespace: str | None) -> str:
    """Label matchers selecting the pods of a workload (by the names their controllers give them)."""
    if kind == "node":
        return f'node="{name}"'
    if kind == "namespace":
        return f'namespace="{name}"'
    ns = f'namespace="{namespace}",' if namespace else ""
    if kind == "pod":
        return f'{ns}pod="{name}"'
    if kind == "deployment":  # <deployment>-<pod-template-hash>-<suffix>
        return f'{ns}pod=~"{name}-[a-z0-9]{{6,10}}-[a-z0-9]{{5}}"'
    if kind == "statefulset":  # <statefulset>-<ordinal>
        return f'{ns}pod=~"{name}-[0-9]+"'
    return f'{ns}pod=~"{name}-[a-z0-9]{{5}}"'  # daemonset: <daemonset>-<suffix>


def _containers(matcher: str) -> str:
    return f'{matcher},container!="",container!="POD"'


def build_question(*, metric: Metric, kind: Kind, name: str, namespace: str | None) -> Question:
    m = pod_matcher(kind, name, namespace)
    c = _containers(m)
    if metric == "cpu":
        lines = [Line("cpu used", f"sum(rate(container_cpu_usage_seconds_total{{{c}}}[{RATE}]))")]
        lines += _references(m, "cpu", kind)
        return Question(metric, kind, name, namespace, "cores", tuple(lines))
    if metric == "memory":
        lines = [Line("memory working set", f"sum(container_memory_working_set_bytes{{{c}}})")]
        lines += _references(m, "memory", kind)
        return Question(metric, kind, name, namespace, "bytes", tuple(lines))
    if metric == "restarts":
        lines = [Line("restarts", f"sum(kube_pod_container_status_restarts_total{{{m}}})")]
        return Question(metric, kind, name, namespace, "restarts", tuple(lines))
    lines = [
        Line("received", f"sum(rate(container_network_receive_bytes_total{{{m}}}[{RATE}]))"),
        Line("transmitted", f"sum(rate(container_network_transmit_bytes_total{{{m}}}[{RATE}]))"),
    ]
    return Question(metric, kind, name, namespace, "bytes/s", tuple(lines))


def _references(matcher: str, resource: str, kind: Kind) -> list[Line]:
    if kind == "node":  # a node's line to watch is what it can give, not pods' requests
        return [
            Line(
                "allocatable",
                f'sum(kube_node_status_allocatable{{{matcher},resource="{resource}"}})',
                reference=True,
            )
        ]
    return [
        Line(
            f"{which}s",
            f'sum(kube_pod_container_resource_{which}s{{{matcher},resource="{resource}"}})',
            reference=True,
        )
        for which in ("request", "limit")
    ]
