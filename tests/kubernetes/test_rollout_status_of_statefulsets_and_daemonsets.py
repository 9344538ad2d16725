"""Rollout status of statefulsets and daemonsets, read the way kubectl reads them."""

from __future__ import annotations

from typing import Any

from tools.base import Status
from tools.kubernetes.rollout import workload_rollout


async def test_daemonset_with_an_unavailable_pod_is_waiting(run, fake_k8s):
    result = await run("k8s_rollout_status", kind="daemonset", name="node-exporter", namespace="kube-system")
    assert result.status is Status.OK
    assert result.text == "fake / kube-system\ndaemonset/node-exporter: waiting: 1 of 2 updated pods ready"


async def test_statefulset_status_through_the_client(run, fake_k8s):
    result = await run("k8s_rollout_status", kind="sts", name="redis", namespace="prod")
    assert result.status is Status.OK and result.text.startswith("fake / prod\nstatefulset/redis: ")


async def test_unknown_statefulset_names_close_ones(run, fake_k8s):
    result = await run("k8s_rollout_status", kind="statefulset", name="rediss", namespace="prod")
    assert result.status is Status.ERROR and "redis" in result.text


def test_statefulset_rules() -> None:
    done: dict[str, Any] = {
        "spec": {"replicas": 2},
        "metadata": {"generation": 3},
        "status": {
            "observedGeneration": 3,
            "updatedReplicas": 2,
            "readyReplicas": 2,
            "currentRevision": "r2",
            "updateRevision": "r2",
        },
    }
    assert workload_rollout("statefulset", done)[0] == "rollout complete: 2 of 2 pods updated and ready"
    moving = {**done, "status": {**done["status"], "currentRevision": "r1"}}
    assert workload_rollout("statefulset", moving)[0] == "waiting: the update revision is not current yet"
    stale = {**done, "metadata": {"generation": 4}}
    assert workload_rollout("statefulset", stale)[0] == "waiting for the controller to see the latest change"
