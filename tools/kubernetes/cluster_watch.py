"""The watches of one cluster, each in its own thread, delivering onto one asyncio queue.

`ClusterWatch.start()` builds a client with the bot's own credentials (never
an impersonated identity) and starts one `ResourceWatch` per target, resuming
each from the resourceVersion the caller stored (`positions`). Items arrive
on `queue` in the order each watch saw them. Dedicated threads (not the
default executor, which every other Kubernetes call shares) hold the long
requests. `stop()` stops them and closes the client. Nothing here knows what
the items mean or where positions are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Mapping, Sequence

from tools.kubernetes.client import KubeClients
from tools.kubernetes.clusters import ClusterConfig, ClusterSet
from tools.kubernetes.watch import WATCH_TIMEOUT_S, Backoff, ResourceWatch, WatchItem, WatchTarget

JOIN_S = 5.0


class ClusterWatch:
    def __init__(
        self,
        cluster: ClusterConfig,
        targets: Sequence[WatchTarget],
        *,
        positions: Mapping[str, str | None],
        timeout_s: int = WATCH_TIMEOUT_S,
        backoff: Callable[[], Backoff] = Backoff,
        request_timeout_s: float = 15.0,
    ) -> None:
        self.cluster = cluster
        self.targets = tuple(targets)
        self.queue: asyncio.Queue[WatchItem] = asyncio.Queue()
        self._positions = dict(positions)
        self._timeout_s = timeout_s
        self._backoff = backoff
        self._request_timeout_s = request_timeout_s
        self._clients: KubeClients | None = None
        self._watches: list[ResourceWatch] = []
        self._threads: list[threading.Thread] = []

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._clients = KubeClients(ClusterSet([self.cluster]), timeout_s=self._request_timeout_s)
        api = (await self._clients.client(self.cluster, None)).api_client

        def deliver(item: WatchItem) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed: the thread is on its way out
                loop.call_soon_threadsafe(self.queue.put_nowait, item)

        for target in self.targets:
            resource_watch = ResourceWatch(
                api,
                target,
                deliver=deliver,
                resource_version=self._positions.get(target.position),
                timeout_s=self._timeout_s,
                backoff=self._backoff(),
            )
            thread = threading.Thread(
                target=resource_watch.run, name=f"watch-{self.cluster.name}-{target.position}", daemon=True
            )
            self._watches.append(resource_watch)
            self._threads.append(thread)
            thread.start()

    async def stop(self) -> None:
        for resource_watch in self._watches:
            resource_watch.stop()
        threads, self._threads, self._watches = self._threads, [], []
        for thread in threads:
            await asyncio.to_thread(thread.join, JOIN_S)
        if self._clients is not None:
            self._clients.close()
            self._clients = None
