"""With `config.server.leader_election: kubernetes` the chart grants the bot its one Lease (and
nothing otherwise), and that Role is enough for the election against the fake API in RBAC mode."""

from __future__ import annotations

from tests.deploy.charts import Helm, granted
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.lease import LeaseElection

KUBERNETES = {"config": {"server": {"host": "0.0.0.0", "port": 8080, "leader_election": "kubernetes"}}}


async def test_the_lease_role_is_rendered_only_for_kubernetes_leader_election(helm: Helm) -> None:
    assert "ops" not in granted(await helm.render())
    assert granted(await helm.render(KUBERNETES))["ops"] == {
        ("coordination.k8s.io", "leases", "create")  # get/update only on the named Lease (resourceNames)
    }


async def test_the_rendered_role_is_enough_to_elect_one_leader(
    helm: Helm, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    fake_k8s.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ops"}})
    fake_k8s.access.use_rbac(await helm.render(KUBERNETES), service_account="ops:bot-chatops")
    cluster = fake_cluster_set.default
    assert cluster is not None
    a, b = [
        await LeaseElection.for_cluster(cluster, namespace="ops", name="chatops-sweeper", identity=name)
        for name in ("a", "b")
    ]
    other = await LeaseElection.for_cluster(cluster, namespace="ops", name="someone-elses", identity="a")
    try:
        assert await a.is_leader() and await a.is_leader()  # took it, renewed it
        assert not await b.is_leader()
        assert not await other.is_leader()  # any other Lease: reading it is refused
        assert fake_k8s.get("Lease", "ops", "someone-elses") is None
    finally:
        for election in (a, b, other):
            await election.release()
