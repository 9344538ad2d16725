"""Fixtures: the Prometheus operations against the fake Prometheus and the fake Kubernetes API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fake_prometheus.server import FakePrometheus, FakeSeries
from tools.base import Operation, OperationResult, RunContext
from tools.kubernetes.clusters import ClusterSet
from tools.prometheus import PrometheusEndpoint, PrometheusSettings, prometheus_operations

CPU_LIMIT = 0.5
CPU_REQUEST = 0.1
MEMORY_LIMIT = 512 * 1024**2


def settings_for(fake: FakePrometheus, **endpoint: Any) -> PrometheusSettings:
    return PrometheusSettings(endpoints=(PrometheusEndpoint(name="main", url=fake.url, **endpoint),))


def seed_web(fake: FakePrometheus) -> None:
    """web's CPU moves between 0.2 and 0.4 cores; memory holds at 300 MiB."""
    pods = {"namespace": "prod", "pod": "web-abc"}
    # 0.2 and 0.4 cores in alternate ten-minute blocks: every range the tests ask for samples both,
    # whatever the clock says (a sine sampled at wall-clock times missed its extremes now and then).
    cpu = [FakeSeries(pods, lambda t: 0.2 if int(t // 600) % 2 == 0 else 0.4)]
    fake.answer("container_cpu_usage_seconds_total", series=cpu)
    fake.answer("resource_requests{", 'resource="cpu"', series=[FakeSeries({}, lambda t: CPU_REQUEST)])
    fake.answer("resource_limits{", 'resource="cpu"', series=[FakeSeries({}, lambda t: CPU_LIMIT)])
    fake.answer("resource_limits{", 'resource="memory"', series=[FakeSeries({}, lambda t: MEMORY_LIMIT)])
    fake.answer("container_memory_working_set_bytes", series=[FakeSeries(pods, lambda t: 300 * 1024**2)])


def context(budget: int = 2000) -> RunContext:
    return RunContext(request_id="test", budget_tokens=budget)


class PromOps:
    def __init__(self, operations: list[Operation]) -> None:
        self.by_name = {op.name: op for op in operations}

    async def __call__(self, name: str, /, *, budget: int = 2000, **raw: Any) -> OperationResult:
        op = self.by_name[name]
        return await op.run(op.parse_args(raw), context(budget))


@pytest.fixture
def prom(fake_prometheus: FakePrometheus, fake_cluster_set: ClusterSet) -> PromOps:
    seed_web(fake_prometheus)
    return PromOps(prometheus_operations(settings=settings_for(fake_prometheus), clusters=fake_cluster_set))


@pytest.fixture
def unconfigured(fake_cluster_set: ClusterSet) -> PromOps:
    return PromOps(prometheus_operations(settings=PrometheusSettings(), clusters=fake_cluster_set))
