"""The leader's cluster watch: watch items → signals in storage → cards; positions saved after.

`ClusterSignals.handle(batch)` classifies each object (`tools.kubernetes.signals`),
folds the signals into storage (where a replayed object changes nothing),
brings the cards of what changed up to date, and only then saves each watch's
resourceVersion, so a new leader resumes where this one finished: nothing it
replays is posted twice, nothing after it is lost. After a relist, a signal
firing before but absent from the list has recovered. `WatchRunner` runs one
cluster's watch and hands its queue to the handler batch by batch, retrying
a batch that failed (a database blip) rather than skipping it.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Sequence

from bot.alerts.cards import signal_card, signal_title
from bot.alerts.notifier import Card, Notifier
from bot.alerts.routes import Routes, signal_labels
from bot.metrics import Metrics
from storage.alert_records import Change, SignalInput, SignalRecord
from storage.store import Store
from tools.kubernetes import watch as kube_watch
from tools.kubernetes.cluster_watch import ClusterWatch
from tools.kubernetes.clusters import ClusterConfig
from tools.kubernetes.signals import Signal, classify, recovers_on_relist
from tools.kubernetes.watch import Backoff, Listed, Restart, WatchItem, WatchTarget

log = logging.getLogger(__name__)

BATCH = 500
ActiveKey = tuple[str, str, str, str]  # kind, namespace, name, reason


def signal_subject(record: SignalRecord) -> str:
    digest = hashlib.sha256("\x1f".join(record.key).encode()).hexdigest()[:20]
    return f"signal:{digest}"


def signal_view(record: SignalRecord) -> Card:
    return Card(
        subject=signal_subject(record),
        kind="signal",
        count=record.count,
        state=record.state,
        title=signal_title(record),
        reply=signal_card(record),
    )


class ClusterSignals:
    def __init__(
        self, *, cluster: str, store: Store, notifier: Notifier, routes: Routes, metrics: Metrics
    ) -> None:
        self.cluster = cluster
        self._store = store
        self._notifier = notifier
        self._routes = routes
        self._metrics = metrics
        self._active: dict[str, set[ActiveKey]] = {}
        self._synced: set[str] = set()  # subjects whose cards this leader has checked once
        self.handled = 0  # watch items handled (tests and the bench wait on it)
        self.progress = asyncio.Condition()

    async def load(self) -> None:
        """What was firing when the last leader stopped (relists recover what is gone since)."""
        self._active = {}
        for record in await self._store.signals.firing(cluster=self.cluster):
            self._active.setdefault(record.resource, set()).add(record.key[1:])

    async def handle(self, batch: Sequence[WatchItem]) -> None:
        now = dt.datetime.now(dt.UTC)
        changed: dict[str, SignalRecord] = {}
        positions: dict[str, str] = {}
        for item in batch:
            if isinstance(item, Restart):
                self._metrics.watch_restarts.labels(self.cluster, item.target.resource, item.reason).inc()
                continue
            if isinstance(item, Listed):
                await self._relisted(item, now, changed)
            elif isinstance(item, kube_watch.Change):
                for signal in classify(
                    item.target.resource, item.type, item.object, cluster=self.cluster, now=now
                ):
                    await self._observe(signal, changed)
            if item.resource_version:
                positions[item.target.position] = item.resource_version
        for record in changed.values():
            await self._notifier.show(signal_view(record), self._routes.places_for(signal_labels(record)))
        await self._notifier.flush()
        for position, version in positions.items():
            await self._store.watch_positions.save(self.cluster, position, version)
        async with self.progress:
            self.handled += len(batch)
            self.progress.notify_all()

    async def _relisted(self, item: Listed, now: dt.datetime, changed: dict[str, SignalRecord]) -> None:
        resource, namespace = item.target.resource, item.target.namespace
        firing: set[ActiveKey] = set()
        for obj in item.objects:
            for signal in classify(resource, "ADDED", obj, cluster=self.cluster, now=now):
                if signal.firing:
                    firing.add(_active_key(signal))
                await self._observe(signal, changed)
        if not recovers_on_relist(resource):
            return
        gone = [k for k in self._active.get(resource, set()) if k not in firing and namespace in (None, k[1])]
        for kind, ns, name, reason in gone:
            record = await self._store.signals.observe(
                SignalInput(self.cluster, kind, ns, name, reason, resource, False, "", 0, "", now)
            )
            self._active[resource].discard((kind, ns, name, reason))
            if record is not None and record.change is Change.CHANGED:
                changed[signal_subject(record.record)] = record.record

    async def _observe(self, signal: Signal, changed: dict[str, SignalRecord]) -> None:
        active = self._active.setdefault(signal.resource, set())
        key = _active_key(signal)
        if not signal.firing and key not in active:
            return  # healthy and never reported: nothing to write
        k = signal.key
        written = await self._store.signals.observe(
            SignalInput(
                k.cluster, k.kind, k.namespace, k.name, k.reason, signal.resource,
                signal.firing, signal.source, signal.count, signal.message, signal.at,
            )
        )  # fmt: skip
        if written is None:
            return
        if written.record.state == "firing":
            active.add(key)
        else:
            active.discard(key)
        subject = signal_subject(written.record)
        if written.change is not Change.UNCHANGED or subject not in self._synced:
            self._synced.add(subject)
            changed[subject] = written.record


def _active_key(signal: Signal) -> ActiveKey:
    return (signal.key.kind, signal.key.namespace, signal.key.name, signal.key.reason)


@dataclasses.dataclass
class WatchRunner:
    """One cluster's watch on the leader, until cancelled."""

    cluster: ClusterConfig
    targets: Sequence[WatchTarget]
    store: Store
    handler: ClusterSignals
    timeout_s: int = 300
    backoff: type[Backoff] = Backoff

    async def run(self) -> None:
        await self.handler.load()
        positions = await self.store.watch_positions.load(self.cluster.name)
        watch = ClusterWatch(
            self.cluster,
            self.targets,
            positions=dict(positions),
            timeout_s=self.timeout_s,
            backoff=self.backoff,
        )
        await watch.start()
        try:
            while True:
                batch = [await watch.queue.get()]
                while not watch.queue.empty() and len(batch) < BATCH:
                    batch.append(watch.queue.get_nowait())
                await self._handle(batch)
        finally:
            await watch.stop()

    async def _handle(self, batch: Sequence[WatchItem]) -> None:
        retry = self.backoff()
        while True:
            try:
                await self.handler.handle(batch)
                return
            except Exception:  # a boundary: the batch is retried, never skipped (its position is unsaved)
                delay = retry.next()
                log.exception(
                    "handling %d watch items of %s failed; again in %.1fs",
                    len(batch),
                    self.cluster.name,
                    delay,
                )
                await asyncio.sleep(delay)


__all__ = ["ClusterSignals", "WatchRunner", "signal_subject"]
