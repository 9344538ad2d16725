"""k8s_resources: requests and limits against usage, idle / above-request / near-limit pods, node pressure."""

from __future__ import annotations

from tests.fake_k8s.server import FakeKubernetes
from tools.base import Status
from tools.kubernetes.resources import PodFigures, pod_findings


def test_pod_findings_are_deterministic() -> None:
    idle = PodFigures("a", "n", cpu_request=1.0, mem_request=2**30, cpu_used=0.05, mem_used=2**28)
    assert pod_findings(idle) == ["idle: uses 50m of 1000m CPU requested"]
    hot = PodFigures(
        "b", "n", cpu_request=0.1, mem_request=2**27, mem_limit=2**28, cpu_used=0.3, mem_used=0.95 * 2**28
    )
    assert pod_findings(hot) == [
        "above its CPU request: 300m used, 100m requested",
        "above its memory request: 243Mi used, 128Mi requested",
        "near its memory limit (OOM risk): 243Mi of 256Mi",
    ]
    bare = PodFigures("c", "n")
    assert pod_findings(bare)[0].startswith("no CPU or memory requests")


async def test_resources_against_the_fake_cluster(run, fake_k8s: FakeKubernetes) -> None:
    result = await run("k8s_resources", namespace="prod")
    assert result.status is Status.OK
    assert result.text.startswith("fake / prod\n")
    kinds = {row[0] for row in result.table.rows}
    assert "node" in kinds, "node-2 reports MemoryPressure"
    assert any("MemoryPressure" in row[2] for row in result.table.rows)
    assert any(row[0] == "pod" for row in result.table.rows)
    assert not fake_k8s.mutations()


async def test_resources_without_metrics_server_says_so(run, fake_k8s: FakeKubernetes) -> None:
    fake_k8s.metrics_enabled = False
    result = await run("k8s_resources", namespace="prod")
    assert "metrics-server is not installed" in result.text
