"""The cluster and namespace a channel's requests default to (`!use`), cached briefly.

Read on every request that names no cluster or namespace; a few seconds of
caching saves a database round trip per tool call. A change made here (`!use`)
is seen at once; one made on another replica within `ttl_s`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.domain.outcomes import RequestContext
from bot.gate.ports import OperationGateway
from storage.store import Store
from tools.base import Status
from tools.kubernetes.clusters import ClusterSet
from tools.registry import Registry


class ChannelDefaults:
    def __init__(
        self,
        store: Store,
        clusters: ClusterSet,
        *,
        ttl_s: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._clusters = clusters
        self._ttl_s = ttl_s
        self._clock = clock
        self._cache: dict[tuple[str, str], tuple[float, str | None, str | None]] = {}

    async def __call__(
        self, platform: str, channel: str, cluster: str | None = None
    ) -> tuple[str | None, str | None]:
        """The channel's (cluster, namespace); with `cluster` (a request's `-c`) that cluster's
        own default namespace unless the channel's defaults are for that very cluster."""
        channel_cluster, namespace = await self._channel(platform, channel)
        if cluster is None or cluster == channel_cluster:
            return channel_cluster, namespace
        try:
            return channel_cluster, self._clusters.get(cluster).default_namespace
        except LookupError:
            return channel_cluster, None

    async def _channel(self, platform: str, channel: str) -> tuple[str | None, str | None]:
        key = (platform, channel)
        cached = self._cache.get(key)
        if cached is not None and self._clock() - cached[0] < self._ttl_s:
            return cached[1], cached[2]
        saved = await self._store.get_channel_settings(platform=platform, channel=channel)
        cluster_name = saved.cluster if saved and saved.cluster else None
        namespace = saved.namespace if saved and saved.namespace else None
        if namespace is None and len(self._clusters):
            try:
                namespace = self._clusters.get(cluster_name).default_namespace
            except LookupError:
                namespace = None
        if cluster_name is None and self._clusters.default is not None:
            cluster_name = self._clusters.default.name
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[key] = (self._clock(), cluster_name, namespace)
        return cluster_name, namespace

    def forget(self, platform: str, channel: str) -> None:
        self._cache.pop((platform, channel), None)


async def namespace_missing(
    registry: Registry,
    gateway: OperationGateway,
    namespace: str,
    ctx: RequestContext,
    *,
    cluster: str | None = None,
) -> str | None:
    """One sentence when `!use namespace` (or `!watch`) names a namespace that cannot be found, else None.

    The lookup is an ordinary read through the gate (policy, identity, audit), in
    `cluster` or else the cluster the channel's requests go to; when it cannot be
    made, nothing is changed.
    """
    if registry.get("k8s_get") is None:
        return f"Cannot check that namespace {namespace} exists: this bot has no Kubernetes operations."
    args = {"kind": "namespace", "name": namespace} | ({"cluster": cluster} if cluster else {})
    outcome = await gateway.submit("k8s_get", args, ctx, file_approvals=False)
    if outcome.status is Status.OK:
        return None
    if "not found" in outcome.text:
        where = f"cluster {cluster}" if cluster else "this channel's cluster"
        return f"Namespace {namespace} does not exist in {where}; `!get namespaces` lists the ones that do."
    return f"Cannot check that namespace {namespace} exists ({outcome.text.rstrip('.')}); nothing changed."
