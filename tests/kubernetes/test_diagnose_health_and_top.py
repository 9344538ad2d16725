"""Deterministic diagnosis of the seeded problem pods; cluster health; top with and without metrics."""

from __future__ import annotations

import pytest

from tools.base import Status


@pytest.mark.parametrize(
    ("pod", "finding"),
    [
        ("worker-imagepull", "cannot pull image registry.example.com/worker:9.9.9-missing"),
        ("batch-oom", "OOMKilled"),
        ("analytics-pending", "Insufficient memory"),
        ("frontend-unready", "readiness probe is failing"),
        ("reporter-missing-config", "configmap reporter-config is referenced by the pod but does not exist"),
    ],
)
async def test_diagnosis_names_the_known_problem(run, fake_k8s, pod, finding):
    result = await run("k8s_diagnose", kind="pod", name=pod, namespace="prod")
    assert result.status is Status.OK
    assert result.text.startswith("fake / prod")
    assert finding in result.text


async def test_crashlooping_deployment_diagnosis_includes_previous_logs(run, fake_k8s):
    result = await run("k8s_diagnose", kind="deployment", name="api", namespace="prod")
    assert "CrashLoopBackOff" in result.text
    assert "2 pod(s), 2 unhealthy" in result.text
    assert "panic: failed to connect to database" in result.code


async def test_healthy_deployment_has_no_findings(run, fake_k8s):
    result = await run("k8s_diagnose", kind="deployment", name="web", namespace="prod")
    assert "no problem found" in result.text


async def test_health_reports_nodes_pressure_and_failing_pods(run, fake_k8s):
    result = await run("k8s_health")
    assert "Nodes: 1 of 2 ready; not ready: node-2 (KubeletNotReady)" in result.text
    assert "node-2: MemoryPressure" in result.text
    assert result.table is not None and result.table.rows[0][0] == "prod"
    assert result.data["pods_not_ok"] >= 6


async def test_top_pods_sorted_by_cpu(run, fake_k8s):
    result = await run("k8s_top", kind="pods", namespace="prod")
    assert result.status is Status.OK, result.text
    cpu = [int(row[1]) for row in result.table.rows]
    assert cpu == sorted(cpu, reverse=True)


async def test_top_without_metrics_server_says_so(run, fake_k8s):
    fake_k8s.metrics_enabled = False
    result = await run("k8s_top", kind="nodes")
    assert result.status is Status.NO_DATA
    assert "metrics-server is not installed" in result.text
