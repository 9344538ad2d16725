"""`k8s_diagnose` of a statefulset goes through its pods as for a deployment; of a node, it names a
node that is not ready, its pressure conditions, a cordon and the taints that keep pods away."""

from __future__ import annotations

from tests.fake_k8s.server import FakeKubernetes
from tools.base import Status


async def test_a_statefulset_is_diagnosed_through_its_pods(run, fake_k8s: FakeKubernetes) -> None:
    result = await run("k8s_diagnose", kind="sts", name="redis", namespace="prod")
    assert result.status is Status.OK, result.text
    assert result.text.startswith("fake / prod\nstatefulset/redis: ")
    assert "pod(s), 0 unhealthy" in result.text


async def test_a_node_not_ready_under_pressure_is_named_with_its_conditions(
    run, fake_k8s: FakeKubernetes
) -> None:
    result = await run("k8s_diagnose", kind="node", name="node-2")
    assert result.status is Status.OK, result.text
    lines = result.text.splitlines()
    assert lines[:2] == ["fake / cluster-wide", "node/node-2: NotReady"]
    assert "node is not ready (KubeletNotReady: Kubelet stopped posting node status.)" in result.text
    assert "- MemoryPressure:" in result.text


async def test_a_cordoned_and_tainted_node_says_so(run, fake_k8s: FakeKubernetes) -> None:
    (node,) = [n for n in fake_k8s.objects("Node") if n["metadata"]["name"] == "node-1"]
    node["spec"] = {
        "unschedulable": True,
        "taints": [
            {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"},
            {"key": "gpu", "value": "only", "effect": "NoSchedule"},
        ],
    }
    result = await run("k8s_diagnose", kind="node", name="node-1")
    assert "node/node-1: Ready" in result.text
    assert "cordoned (SchedulingDisabled)" in result.text and "!uncordon node-1" in result.text
    assert "taint gpu=only:NoSchedule" in result.text
    assert "node.kubernetes.io/unschedulable" not in result.text


async def test_an_unknown_node_is_one_sentence(run, fake_k8s: FakeKubernetes) -> None:
    result = await run("k8s_diagnose", kind="node", name="node-9")
    assert result.status is Status.ERROR
    assert "node-9" in result.text and len(result.text.splitlines()) == 1
