"""End to end on a real cluster (CHATOPS_E2E_KUBECONFIG): install, status, upgrade, rollback, uninstall."""

from __future__ import annotations

import dataclasses
import os
import uuid
from pathlib import Path

import pytest

from tools.base import Operation, RunContext, Status
from tools.helm import HelmSettings, helm_operations
from tools.kubernetes.clusters import ClusterSet

pytestmark = pytest.mark.cluster


@pytest.fixture
def e2e_ops(real_helm: Path, chart_dir: Path, tmp_path: Path) -> dict[str, Operation]:
    kubeconfig = os.environ.get("CHATOPS_E2E_KUBECONFIG")
    if not kubeconfig:
        pytest.skip("set CHATOPS_E2E_KUBECONFIG to run the cluster tests")
    clusters = ClusterSet.from_default_kubeconfig(Path(kubeconfig))
    settings = HelmSettings(binary=str(real_helm), chart_dir=chart_dir, timeout_s=180, home=tmp_path / "home")
    return {op.name: op for op in helm_operations(settings=settings, clusters=clusters)}


async def _change(op: Operation, raw: dict[str, object], ctx: RunContext) -> RunContext:
    args = op.parse_args(raw)
    assert op.preview is not None
    preview = await op.preview(args, ctx)
    assert preview.ok, preview.text
    bound = dataclasses.replace(ctx, binding=preview.binding)
    result = await op.run(args, bound)
    assert result.status is Status.OK, result.text
    return bound


async def test_release_lifecycle_on_a_real_cluster(e2e_ops: dict[str, Operation]) -> None:
    ctx = RunContext(request_id="e2e")
    namespace = f"chatops-e2e-{uuid.uuid4().hex[:6]}"
    await _change(e2e_ops["helm_create"], {"name": "shop"}, ctx)
    release = {"name": "web", "chart": "shop", "namespace": namespace}
    await _change(
        e2e_ops["helm_install"], {**release, "create_namespace": True, "set": {"replicaCount": "1"}}, ctx
    )
    try:
        status = await e2e_ops["helm_status"].run(
            e2e_ops["helm_status"].parse_args({"name": "web", "namespace": namespace}), ctx
        )
        assert "revision 1" in status.text
        await _change(e2e_ops["helm_upgrade"], {**release, "set": {"replicaCount": "2"}}, ctx)
        await _change(e2e_ops["helm_rollback"], {"name": "web", "namespace": namespace}, ctx)
        history = await e2e_ops["helm_history"].run(
            e2e_ops["helm_history"].parse_args({"name": "web", "namespace": namespace}), ctx
        )
        assert history.table is not None and len(history.table.rows) == 3
    finally:
        await _change(e2e_ops["helm_uninstall"], {"name": "web", "namespace": namespace}, ctx)
