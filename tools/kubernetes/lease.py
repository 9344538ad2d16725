"""Leadership through a Kubernetes Lease (coordination.k8s.io/v1), for replicas running in a cluster.

The same protocol as client-go's leader election, reduced to what one sweep
needs: the holder renews `renewTime` at each round; another replica takes the
Lease over only when its `renewTime` is older than `leaseDurationSeconds`.
Every write carries the `resourceVersion` it read, so two replicas racing for
an expired Lease produce one winner (the other gets 409). The clocks of the
replicas must roughly agree (they compare times the other wrote). Nothing here
knows what the leader does.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from tools.kubernetes.client import KubeClient, KubeClients
from tools.kubernetes.clusters import ClusterConfig, ClusterSet
from tools.kubernetes.errors import ApiError, KubeError

LEASE_DURATION_S = 90


def lease_path(namespace: str, name: str | None = None) -> str:
    base = f"/apis/coordination.k8s.io/v1/namespaces/{quote(namespace, safe='')}/leases"
    return f"{base}/{quote(name, safe='')}" if name else base


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _micro(at: dt.datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class LeaseElection:
    def __init__(
        self,
        client: KubeClient,
        *,
        namespace: str,
        name: str,
        identity: str,
        duration_s: int = LEASE_DURATION_S,
    ) -> None:
        self._client = client
        self._namespace = namespace
        self._name = name
        self._identity = identity
        self._duration_s = duration_s
        self._owned: KubeClients | None = None
        self.holds = False

    @classmethod
    async def for_cluster(
        cls, cluster: ClusterConfig, *, namespace: str, name: str, identity: str, timeout_s: float = 10.0
    ) -> LeaseElection:
        """An election with the bot's own credentials on `cluster` (closed by `release`)."""
        clients = KubeClients(ClusterSet([cluster]), timeout_s=timeout_s)
        election = cls(await clients.client(cluster, None), namespace=namespace, name=name, identity=identity)
        election._owned = clients
        return election

    async def is_leader(self) -> bool:
        """Take, renew or confirm the Lease; False when another replica holds it or on any API trouble."""
        try:
            self.holds = await self._try()
        except KubeError:
            self.holds = False
        return self.holds

    async def release(self) -> None:
        """Hand the Lease back at shutdown, so another replica leads without waiting it out."""
        try:
            await self._hand_back()
        finally:
            if self._owned is not None:
                self._owned.close()
                self._owned = None

    async def _hand_back(self) -> None:
        if not self.holds:
            return
        self.holds = False
        try:
            lease = await self._client.json("GET", lease_path(self._namespace, self._name))
            if (lease.get("spec") or {}).get("holderIdentity") == self._identity:
                lease["spec"] = {**lease["spec"], "holderIdentity": None, "renewTime": None}
                await self._client.json("PUT", lease_path(self._namespace, self._name), body=lease)
        except KubeError:
            return  # it expires on its own

    async def _try(self) -> bool:
        now = _now()
        try:
            lease = await self._client.json("GET", lease_path(self._namespace, self._name))
        except ApiError as error:
            if error.status != 404:
                raise
            return await self._create(now)
        spec: dict[str, Any] = dict(lease.get("spec") or {})
        holder = spec.get("holderIdentity")
        renewed = _parse(spec.get("renewTime"))
        duration = int(spec.get("leaseDurationSeconds") or self._duration_s)
        expired = renewed is None or renewed + dt.timedelta(seconds=duration) < now
        if holder and holder != self._identity and not expired:
            return False
        if holder != self._identity:
            spec["acquireTime"] = _micro(now)
            spec["leaseTransitions"] = int(spec.get("leaseTransitions") or 0) + 1
        spec.update(
            holderIdentity=self._identity, renewTime=_micro(now), leaseDurationSeconds=self._duration_s
        )
        lease["spec"] = spec
        try:
            await self._client.json("PUT", lease_path(self._namespace, self._name), body=lease)
        except ApiError as error:
            if error.status == 409:  # another replica wrote first: it leads
                return False
            raise
        return True

    async def _create(self, now: dt.datetime) -> bool:
        body = {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self._name, "namespace": self._namespace},
            "spec": {
                "holderIdentity": self._identity,
                "leaseDurationSeconds": self._duration_s,
                "acquireTime": _micro(now),
                "renewTime": _micro(now),
                "leaseTransitions": 0,
            },
        }
        try:
            await self._client.json("POST", lease_path(self._namespace), body=body)
        except ApiError as error:
            if error.status == 409:
                return False
            raise
        return True
