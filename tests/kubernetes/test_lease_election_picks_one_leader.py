"""Leadership through a Kubernetes Lease against the fake API: one holder, renewals, takeover
when the holder stops renewing, one winner when two race, and an immediate hand-over on release."""

from __future__ import annotations

import asyncio
import datetime as dt

from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.client import KubeClients
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.lease import LeaseElection


async def _elections(clusters: ClusterSet, *names: str) -> tuple[KubeClients, list[LeaseElection]]:
    clients = KubeClients(clusters, timeout_s=5.0)
    cluster = clients.cluster(None)
    client = await clients.client(cluster, None)
    return clients, [LeaseElection(client, namespace="prod", name="sweeper", identity=n) for n in names]


def _age_the_lease(fake: FakeKubernetes) -> None:
    """The holder stopped renewing: its renewTime is older than the lease duration."""
    lease = fake.get("Lease", "prod", "sweeper")
    assert lease is not None
    lease["spec"]["renewTime"] = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M:%S.%fZ"
    )


async def test_one_holder_renews_and_another_takes_over_only_after_expiry(
    fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    clients, (a, b) = await _elections(fake_cluster_set, "replica-a", "replica-b")
    try:
        assert await a.is_leader()
        assert not await b.is_leader()
        assert await a.is_leader()  # renewal
        lease = fake_k8s.get("Lease", "prod", "sweeper")
        assert lease is not None and lease["spec"]["holderIdentity"] == "replica-a"
        _age_the_lease(fake_k8s)
        assert await b.is_leader()
        assert not await a.is_leader()
        lease = fake_k8s.get("Lease", "prod", "sweeper")
        assert lease is not None
        assert lease["spec"]["holderIdentity"] == "replica-b" and lease["spec"]["leaseTransitions"] == 1
        await b.release()
        assert await a.is_leader()  # handed back: no waiting for expiry
    finally:
        clients.close()


async def test_two_replicas_racing_for_an_expired_lease_make_one_leader(
    fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    clients, (a, b, c) = await _elections(fake_cluster_set, "a", "b", "c")
    try:
        assert await a.is_leader()
        _age_the_lease(fake_k8s)
        results = await asyncio.gather(b.is_leader(), c.is_leader())
        assert sorted(results) == [False, True]
    finally:
        clients.close()
