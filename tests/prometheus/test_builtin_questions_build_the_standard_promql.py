"""Each built-in question becomes the PromQL of the standard cAdvisor / kube-state-metrics names."""

from __future__ import annotations

import pytest

from tools.prometheus.queries import build_question

WEB = 'namespace="prod",pod=~"web-[a-z0-9]{6,10}-[a-z0-9]{5}"'
CONTAINERS = ',container!="",container!="POD"'


@pytest.mark.parametrize(
    ("metric", "kind", "name", "expected"),
    [
        (
            "cpu",
            "deployment",
            "web",
            [
                f"sum(rate(container_cpu_usage_seconds_total{{{WEB}{CONTAINERS}}}[5m]))",
                f'sum(kube_pod_container_resource_requests{{{WEB},resource="cpu"}})',
                f'sum(kube_pod_container_resource_limits{{{WEB},resource="cpu"}})',
            ],
        ),
        (
            "memory",
            "pod",
            "web-1",
            [
                f'sum(container_memory_working_set_bytes{{namespace="prod",pod="web-1"{CONTAINERS}}})',
                'sum(kube_pod_container_resource_requests{namespace="prod",pod="web-1",resource="memory"})',
                'sum(kube_pod_container_resource_limits{namespace="prod",pod="web-1",resource="memory"})',
            ],
        ),
        (
            "restarts",
            "statefulset",
            "db",
            ['sum(kube_pod_container_status_restarts_total{namespace="prod",pod=~"db-[0-9]+"})'],
        ),
        (
            "network",
            "namespace",
            "prod",
            [
                'sum(rate(container_network_receive_bytes_total{namespace="prod"}[5m]))',
                'sum(rate(container_network_transmit_bytes_total{namespace="prod"}[5m]))',
            ],
        ),
        (
            "cpu",
            "node",
            "node-1",
            [
                f'sum(rate(container_cpu_usage_seconds_total{{node="node-1"{CONTAINERS}}}[5m]))',
                'sum(kube_node_status_allocatable{node="node-1",resource="cpu"})',
            ],
        ),
        (
            "memory",
            "daemonset",
            "agent",
            [
                f'sum(container_memory_working_set_bytes{{namespace="prod",pod=~"agent-[a-z0-9]{{5}}"{CONTAINERS}}})',
                'sum(kube_pod_container_resource_requests{namespace="prod",pod=~"agent-[a-z0-9]{5}",resource="memory"})',
                'sum(kube_pod_container_resource_limits{namespace="prod",pod=~"agent-[a-z0-9]{5}",resource="memory"})',
            ],
        ),
    ],
)
def test_question_promql(metric: str, kind: str, name: str, expected: list[str]) -> None:
    question = build_question(metric=metric, kind=kind, name=name, namespace="prod")  # type: ignore[arg-type]
    assert [line.promql for line in question.lines] == expected
    assert [line.reference for line in question.lines][1:] == [True] * (len(expected) - 1) or metric in (
        "restarts",
        "network",
    )


def test_titles_name_what_was_asked() -> None:
    assert build_question(metric="cpu", kind="deployment", name="web", namespace="prod").title == (
        "cpu of deployment web in prod"
    )
    assert (
        build_question(metric="memory", kind="node", name="n1", namespace="prod").title == "memory of node n1"
    )
