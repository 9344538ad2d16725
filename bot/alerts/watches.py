"""The leader's cluster watches, kept in step with the config and the `!watch` subscriptions.

`sync()` runs on every leader round: it reads the subscriptions from storage
(whichever replica stored them), hands them to the routing, starts, restarts
or stops each cluster's watch whose targets changed, shows a new or changed
subscription's place the signals already firing there, and closes the Event
signals that stayed quiet for `alerts.watch.event_quiet_s`. `stop()` ends every
watch (leadership lost, shutdown); positions stay in storage for the next
leader. Nothing here classifies objects or decides what a card says.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping, Sequence

from bot.alerts.notifier import Notifier
from bot.alerts.subscriptions import SignalRouting, subscription_matches
from bot.alerts.watcher import ClusterSignals, WatchRunner, signal_view
from bot.domain.ports import Place
from bot.gate.metrics import Metrics
from bot.settings.alerts_settings import WatchSettings
from storage.alert_records import WatchSubscription
from storage.store import Store
from tools.kubernetes.clusters import ClusterConfig
from tools.kubernetes.watch import Backoff, WatchTarget

log = logging.getLogger(__name__)


@dataclasses.dataclass
class _Running:
    targets: tuple[WatchTarget, ...]
    handler: ClusterSignals
    task: asyncio.Task[None]


class ClusterWatches:
    def __init__(
        self,
        *,
        store: Store,
        notifier: Notifier,
        routing: SignalRouting,
        metrics: Metrics,
        settings: WatchSettings,
        clusters: Mapping[str, ClusterConfig],
        backoff: type[Backoff] = Backoff,
    ) -> None:
        self._store = store
        self._notifier = notifier
        self.routing = routing
        self._metrics = metrics
        self._settings = settings
        self._clusters = dict(clusters)
        self.backoff = backoff
        self._running: dict[str, _Running] = {}
        self._unknown: set[str] = set()  # subscribed clusters no longer in the config (logged once)

    async def sync(self) -> None:
        fresh = self.routing.use(await self._store.watch_subscriptions.all())
        wanted = self.routing.clusters() | set(self._running)
        for name in sorted(wanted):
            targets = self.routing.targets_for(name)
            running = self._running.get(name)
            if running is not None and running.targets == targets:
                continue
            if running is not None:
                await self._stop_one(name)
            if targets:
                self._start_one(name, targets)
        await self._show_firing(fresh)
        now = dt.datetime.now(dt.UTC)
        for running in list(self._running.values()):
            await running.handler.close_quiet(now)

    async def stop(self) -> None:
        for name in list(self._running):
            await self._stop_one(name)
        self.routing.use(())  # a later leadership starts from what storage says then

    def _start_one(self, name: str, targets: tuple[WatchTarget, ...]) -> None:
        cluster = self._clusters.get(name)
        if cluster is None:
            if name not in self._unknown:
                log.warning("cluster %s is subscribed to but not configured; it is not watched", name)
                self._unknown.add(name)
            return
        handler = ClusterSignals(
            cluster=name,
            store=self._store,
            notifier=self._notifier,
            routing=self.routing,
            metrics=self._metrics,
            event_quiet=dt.timedelta(seconds=self._settings.event_quiet_s),
        )
        runner = WatchRunner(
            cluster, targets, self._store, handler, timeout_s=self._settings.timeout_s, backoff=self.backoff
        )
        task = asyncio.create_task(runner.run(), name=f"watch-{name}")
        self._running[name] = _Running(targets, handler, task)

    async def _stop_one(self, name: str) -> None:
        running = self._running.pop(name)
        running.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running.task

    async def _show_firing(self, subscriptions: Sequence[WatchSubscription]) -> None:
        """A place newly subscribed gets the cards of what already fires there (once each)."""
        if not subscriptions:
            return
        by_cluster: dict[str, list[WatchSubscription]] = {}
        for subscription in subscriptions:
            by_cluster.setdefault(subscription.cluster, []).append(subscription)
        for cluster, subscribed in by_cluster.items():
            if cluster not in self._running:
                continue
            for record in await self._store.signals.firing(cluster=cluster):
                for subscription in subscribed:
                    if subscription_matches(subscription, record):
                        place = Place(subscription.platform, subscription.channel)
                        await self._notifier.show(signal_view(record), (place,))
        await self._notifier.flush()
