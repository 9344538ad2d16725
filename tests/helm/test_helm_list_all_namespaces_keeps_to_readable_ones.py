"""`helm list -A` keeps only the releases of namespaces the gate's policy lets the requester read."""

from __future__ import annotations

from tests.fakes.bin.fakecli import FakeCli
from tests.helm.conftest import OpsFactory
from tools.base import RunContext, Status
from tools.readable import ReadableNamespaces


def row(name: str, namespace: str) -> dict[str, str]:
    return {
        "name": name,
        "namespace": namespace,
        "revision": "1",
        "updated": "2025-01-02 10:00:00 +0000 UTC",
        "status": "deployed",
        "chart": "nginx-1.2.3",
        "app_version": "1.25.0",
    }


async def test_releases_in_unreadable_namespaces_are_left_out_and_counted(
    make_ops: OpsFactory, fake_helm: FakeCli
) -> None:
    rows = [row("web", "apps"), row("ingress", "kube-system"), row("dns", "kube-system")]
    fake_helm.expect(
        ["list", "--all-namespaces", "--output=json", "--namespace=apps", "--kube-context=dev-admin"],
        stdout=rows,
    )
    readable = ReadableNamespaces(lambda namespace: not namespace.startswith("kube-"))
    op = make_ops()["helm_list"]
    result = await op.run(
        op.parse_args({"all_namespaces": True}), RunContext(request_id="r", readable=readable)
    )
    assert result.status is Status.OK, result.text
    assert result.table is not None and [r[0] for r in result.table.rows] == ["web"]
    assert readable.note() == ("Left out: 2 item(s) in 1 namespace(s) you may not read here (kube-system).")
