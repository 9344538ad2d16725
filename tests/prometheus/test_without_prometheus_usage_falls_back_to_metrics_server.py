"""No Prometheus configured: usage answers from metrics-server and says what Prometheus would add."""

from __future__ import annotations

import pytest

from tests.fake_k8s.server import FakeKubernetes
from tests.prometheus.conftest import PromOps
from tools.base import RunContext, Status
from tools.kubernetes.clusters import ClusterSet
from tools.prometheus import PrometheusSettings, prometheus_operations


async def test_cpu_of_a_deployment_comes_from_metrics_server(unconfigured: PromOps) -> None:
    result = await unconfigured("prom_chart", metric="cpu", kind="deployment", name="web", namespace="prod")
    assert result.status is Status.OK, result.text
    assert (
        "cpu of deployment web in prod:" in result.text
        and "now over 2 pod(s) (metrics-server)" in result.text
    )
    assert "No Prometheus is configured for fake" in result.text
    assert "requests and limits, rollouts and a chart" in result.text and not result.files


async def test_restarts_have_no_metrics_server_figure(unconfigured: PromOps) -> None:
    result = await unconfigured("prom_usage", metric="restarts", kind="pod", name="web-1", namespace="prod")
    assert result.status is Status.NO_DATA
    assert "metrics-server has no restarts figures" in result.text


async def test_without_metrics_server_either_it_says_so(
    unconfigured: PromOps, fake_k8s: FakeKubernetes
) -> None:
    fake_k8s.metrics_enabled = False
    result = await unconfigured("prom_usage", metric="memory", kind="node", name="node-1")
    assert result.status is Status.NO_DATA
    assert "metrics-server is not installed either" in result.text


async def test_raw_promql_says_how_to_configure_prometheus(unconfigured: PromOps) -> None:
    result = await unconfigured("prom_query", query="up")
    assert result.status is Status.ERROR
    assert "no Prometheus is configured for fake; add one under prometheus.endpoints" in result.text


def test_the_fallback_is_not_offered_to_the_model(unconfigured: PromOps, prom: PromOps) -> None:
    assert not any(op.for_agent for op in unconfigured.by_name.values())
    assert all(op.for_agent for op in prom.by_name.values())


async def test_without_any_cluster_the_answer_is_one_sentence(caplog: pytest.LogCaptureFixture) -> None:
    ops = {
        op.name: op for op in prometheus_operations(settings=PrometheusSettings(), clusters=ClusterSet([]))
    }
    raw = {"metric": "cpu", "kind": "deployment", "name": "web", "namespace": "prod"}
    result = await ops["prom_usage"].run(ops["prom_usage"].parse_args(raw), RunContext(request_id="t"))
    assert result.status is Status.NO_DATA, result.text
    assert "No Prometheus is configured for this cluster" in result.text
    assert "no cluster is configured" in result.text and "Error" not in result.text
    assert not any(r.exc_info for r in caplog.records)
