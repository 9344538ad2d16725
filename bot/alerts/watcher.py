"""The leader's cluster watch: watch items → signals in storage → cards; positions saved after.

`ClusterSignals.handle(batch)` classifies each object (`tools.kubernetes.signals`),
folds the signals into storage (where a replayed object changes nothing),
brings the cards of what changed up to date, and only then saves each watch's
resourceVersion, so a new leader resumes where this one finished: nothing it
replays is posted twice, nothing after it is lost. After a relist, a signal
firing before but absent from the list has recovered. Warning Events are
occurrences: one older than the quiet period is not news (not written); their
signals close when the object they are about is deleted or has no state
signal firing any more, and `close_quiet` (the leader's rounds) closes those
without a new occurrence for the quiet period. `WatchRunner` runs one
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
from bot.alerts.subscriptions import SignalRouting
from bot.gate.metrics import Metrics
from storage.alert_records import Change, SignalInput, SignalRecord
from storage.store import Store
from tools.kubernetes import watch as kube_watch
from tools.kubernetes.cluster_watch import ClusterWatch
from tools.kubernetes.clusters import ClusterConfig
from tools.kubernetes.signals import Signal, classify, recovers_on_relist
from tools.kubernetes.watch import Backoff, Listed, Restart, WatchItem, WatchTarget

log = logging.getLogger(__name__)

BATCH = 500
MAX_SYNCED = 100_000
ActiveKey = tuple[str, str, str, str]  # kind, namespace, name, reason
ObjectKey = tuple[str, str, str]  # kind, namespace, name
EVENTS = "events"


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
        self,
        *,
        cluster: str,
        store: Store,
        notifier: Notifier,
        routing: SignalRouting,
        metrics: Metrics,
        event_quiet: dt.timedelta | None = None,  # None: a Warning Event is news whatever its age
    ) -> None:
        self.cluster = cluster
        self._store = store
        self._notifier = notifier
        self._routing = routing
        self._metrics = metrics
        self._event_quiet = event_quiet
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
        seen: list[SignalInput] = []
        over: set[ObjectKey] = set()  # objects gone or with nothing firing: their Events' signals close
        positions: dict[str, str] = {}
        for item in batch:
            if isinstance(item, Restart):
                self._metrics.watch_restarts.labels(self.cluster, item.target.resource, item.reason).inc()
                continue
            if isinstance(item, Listed):
                seen += self._relisted(item, now, over)
            elif isinstance(item, kube_watch.Change):
                signals = classify(
                    item.target.resource, item.type, item.object, cluster=self.cluster, now=now
                )
                kept = [
                    self._input(s)
                    for s in signals
                    if self._is_news(s, now) and self._worth_writing(s.resource, _active_key(s), s.firing)
                ]
                seen += kept
                ended = item.type == "DELETED" or any(not s.firing for s in kept)
                if item.target.resource != EVENTS and ended and not any(s.firing for s in signals):
                    over.add(_object_key(signals[0]))
            if item.resource_version:
                positions[item.target.position] = item.resource_version
        changed: dict[str, SignalRecord] = {}
        if over:
            for record in await self._store.signals.close_about(cluster=self.cluster, objects=over):
                changed[signal_subject(record)] = record
        for written in await self._store.signals.observe_many(seen):
            if written is None:
                continue
            subject = signal_subject(written.record)
            if written.change is not Change.UNCHANGED or subject not in self._synced:
                if len(self._synced) >= MAX_SYNCED:
                    self._synced.clear()  # each is then checked once more: harmless, and memory stays bounded
                self._synced.add(subject)
                changed[subject] = written.record
        await self.show(list(changed.values()))
        for position, version in positions.items():
            await self._store.watch_positions.save(self.cluster, position, version)
        async with self.progress:
            self.handled += len(batch)
            self.progress.notify_all()

    async def show(self, records: Sequence[SignalRecord]) -> None:
        """Bring the cards of these signals up to date wherever they are routed now."""
        if not records:
            return
        for record in records:
            await self._notifier.show(signal_view(record), self._routing.places_for(record))
        await self._notifier.flush()

    async def close_quiet(self, now: dt.datetime) -> int:
        """Close the Event signals with no new occurrence for the quiet period; returns how many."""
        if self._event_quiet is None:
            return 0
        closed = await self._store.signals.close_quiet(cluster=self.cluster, before=now - self._event_quiet)
        await self.show(closed)
        return len(closed)

    def _relisted(self, item: Listed, now: dt.datetime, over: set[ObjectKey]) -> list[SignalInput]:
        """Everything the list says, and the recovery of what was firing but is no longer there."""
        resource, namespace = item.target.resource, item.target.namespace
        before = set(self._active.get(resource, set()))
        firing: set[ActiveKey] = set()
        seen: list[SignalInput] = []
        for obj in item.objects:
            for signal in classify(resource, "ADDED", obj, cluster=self.cluster, now=now):
                if signal.firing:
                    firing.add(_active_key(signal))
                if self._is_news(signal, now) and self._worth_writing(
                    resource, _active_key(signal), signal.firing
                ):
                    seen.append(self._input(signal))
        if recovers_on_relist(resource):
            still = {key[:3] for key in firing}
            for kind, ns, name, reason in sorted(before - firing):
                if namespace in (None, ns) and self._worth_writing(resource, (kind, ns, name, reason), False):
                    seen.append(
                        SignalInput(self.cluster, kind, ns, name, reason, resource, False, "", 0, "", now)
                    )
                    if (kind, ns, name) not in still:
                        over.add((kind, ns, name))
        return seen

    def _is_news(self, signal: Signal, now: dt.datetime) -> bool:
        """False for a Warning Event last seen longer ago than the quiet period (a closed matter)."""
        quiet = self._event_quiet
        return signal.resource != EVENTS or quiet is None or signal.at >= now - quiet

    def _worth_writing(self, resource: str, key: ActiveKey, firing: bool) -> bool:
        """Track what fires (in memory, as storage will have it); a healthy key never reported is
        not written at all (most objects of a relist)."""
        active = self._active.setdefault(resource, set())
        if firing:
            active.add(key)
            return True
        if key in active:
            active.discard(key)
            return True
        return False

    @staticmethod
    def _input(signal: Signal) -> SignalInput:
        k = signal.key
        return SignalInput(
            k.cluster, k.kind, k.namespace, k.name, k.reason, signal.resource,
            signal.firing, signal.source, signal.count, signal.message, signal.at,
        )  # fmt: skip


def _active_key(signal: Signal) -> ActiveKey:
    return (signal.key.kind, signal.key.namespace, signal.key.name, signal.key.reason)


def _object_key(signal: Signal) -> ObjectKey:
    return (signal.key.kind, signal.key.namespace, signal.key.name)


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
