"""Prometheus as a read toolset: usage questions, charts, raw PromQL, labels and alerts.

`prometheus_operations()` is the entry point the core calls. With an endpoint
configured, the operations are offered to the model too; without one, the
usage commands still answer from metrics-server and the others say how to
configure one (and the model, which has `k8s_top`, is not offered them).
Nothing here imports `bot` or decides policy.
"""

from __future__ import annotations

from tools.base import Args, CommandSpec, Operation, RunFn, Safety
from tools.kubernetes.client import KubeClients
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.common import Kube
from tools.prometheus.args import LabelArgs, QueryArgs, UsageArgs
from tools.prometheus.reads import PrometheusReads, guard
from tools.prometheus.settings import PrometheusEndpoint, PrometheusSettings

__all__ = ["PrometheusEndpoint", "PrometheusSettings", "prometheus_operations"]

_USAGE = ("metric", "kind", "name")


def prometheus_operations(
    *, settings: PrometheusSettings, clusters: ClusterSet, request_timeout_s: float = 15.0
) -> list[Operation]:
    reads = PrometheusReads(settings, Kube(KubeClients(clusters, timeout_s=request_timeout_s)))
    for_agent = settings.configured
    timeout = max((e.timeout_s for e in settings.endpoints), default=10.0) * 3 + 15

    def op(name: str, description: str, model: type[Args], run: RunFn, spec: CommandSpec) -> Operation:
        return Operation(
            name=name,
            description=description,
            safety=Safety.READ,
            args_model=model,
            run=guard(name, run),
            command=spec,
            timeout_s=timeout,
            for_agent=for_agent,
        )

    return [
        op(
            "prom_usage",
            "Usage of a workload over time vs its requests and limits.",
            UsageArgs,
            reads.usage,
            CommandSpec(words=("usage",), positionals=_USAGE),
        ),
        op(
            "prom_chart",
            "prom_usage plus a chart image for people.",
            UsageArgs,
            reads.chart,
            CommandSpec(words=("chart",), positionals=_USAGE),
        ),
        op(
            "prom_query",
            "Run PromQL (instant, or summarised over since; chart draws it).",
            QueryArgs,
            reads.query,
            CommandSpec(words=("promql",), positionals=("query",), code_block_field="query"),
        ),
        op(
            "prom_labels",
            "Label names, or one label's values.",
            LabelArgs,
            reads.labels,
            CommandSpec(words=("prom", "labels"), positionals=("label",)),
        ),
        op(
            "prom_alerts",
            "Alerts Prometheus has firing or pending.",
            LabelArgs,
            reads.alerts,
            CommandSpec(words=("prom", "alerts")),
        ),
    ]
