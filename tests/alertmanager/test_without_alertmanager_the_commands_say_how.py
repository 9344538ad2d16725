"""No Alertmanager configured: the commands say how to add one; the model is not offered them."""

from __future__ import annotations

from tools.alertmanager import alertmanager_operations
from tools.base import RunContext, Status
from tools.kubernetes.clusters import ClusterSet


async def test_alerts_without_an_endpoint(fake_cluster_set: ClusterSet) -> None:
    ops = {op.name: op for op in alertmanager_operations(endpoints=(), clusters=fake_cluster_set)}
    result = await ops["am_alerts"].run(ops["am_alerts"].parse_args({}), RunContext(request_id="t"))
    assert result.status is Status.ERROR
    assert "no Alertmanager is configured for fake; add one under alertmanager.endpoints" in result.text
    assert not any(op.for_agent for op in ops.values())
