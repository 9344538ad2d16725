"""Where a cluster signal goes and what the leader must watch: the config's watch and `!watch` subscriptions.

A signal goes to the places the config's routes give it, when the config's
own watch covers it (its clusters, kinds and namespaces), and to every place
subscribed in chat whose cluster, namespace ("" = all), kinds and reasons
match; a place named both ways gets one card. A cluster is watched when the
config enables its watch or a subscription names it; with a subscription its
watches cover every namespace (filtering happens here, when routing). Pure
over the snapshot of subscriptions the leader reads on its rounds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot.alerts.routes import Routes, signal_labels
from bot.domain.ports import Place
from bot.settings.alerts_settings import AlertsSettings, WatchSettings
from storage.alert_records import SignalRecord, WatchSubscription
from tools.kubernetes.signals import RESOURCES, resources_for
from tools.kubernetes.watch import WatchTarget

NODES = "nodes"  # cluster-scoped: watched cluster-wide whatever the namespaces


def watch_targets(kinds: Sequence[str], namespaces: Sequence[str]) -> list[WatchTarget]:
    targets = []
    for kind in kinds:
        if kind == NODES or not namespaces:
            targets.append(WatchTarget(kind))
        else:
            targets += [WatchTarget(kind, ns) for ns in namespaces]
    return targets


@dataclasses.dataclass(frozen=True)
class ConfigWatch:
    """What `alerts.watch` itself watches: only signals it covers go to the config's routes."""

    enabled: bool
    clusters: frozenset[str]
    resources: tuple[str, ...]
    namespaces: tuple[str, ...]  # empty: every namespace

    @classmethod
    def from_settings(cls, settings: WatchSettings, *, clusters: Sequence[str]) -> ConfigWatch:
        return cls(settings.enabled, frozenset(clusters), tuple(settings.kinds), tuple(settings.namespaces))

    def watches(self, cluster: str) -> bool:
        return self.enabled and cluster in self.clusters

    def covers(self, record: SignalRecord) -> bool:
        if not self.watches(record.cluster) or record.resource not in self.resources:
            return False
        return not self.namespaces or record.resource == NODES or record.namespace in self.namespaces


def subscription_matches(subscription: WatchSubscription, record: SignalRecord) -> bool:
    return (
        subscription.cluster == record.cluster
        and subscription.namespace in ("", record.namespace)
        and (not subscription.kinds or record.kind in subscription.kinds)
        and (not subscription.reasons or record.reason in subscription.reasons)
    )


def _key(subscription: WatchSubscription) -> tuple[str, str, str, str]:
    return (subscription.platform, subscription.channel, subscription.cluster, subscription.namespace)


class SignalRouting:
    def __init__(self, *, routes: Routes, config: ConfigWatch) -> None:
        self.routes = routes
        self.config = config
        self.subscriptions: tuple[WatchSubscription, ...] = ()

    @classmethod
    def from_settings(cls, settings: AlertsSettings, *, clusters: Sequence[str]) -> SignalRouting:
        config = ConfigWatch.from_settings(settings.watch, clusters=clusters)
        return cls(routes=Routes.from_settings(settings), config=config)

    def use(self, subscriptions: Sequence[WatchSubscription]) -> list[WatchSubscription]:
        """Route by these subscriptions from now on; returns the ones new or changed since the last."""
        before = {_key(s): s for s in self.subscriptions}
        self.subscriptions = tuple(subscriptions)
        return [s for s in self.subscriptions if before.get(_key(s)) != s]

    def places_for(self, record: SignalRecord) -> tuple[Place, ...]:
        places = list(self.routes.places_for(signal_labels(record))) if self.config.covers(record) else []
        for subscription in self.subscriptions:
            place = Place(subscription.platform, subscription.channel)
            if place not in places and subscription_matches(subscription, record):
                places.append(place)
        return tuple(places)

    def clusters(self) -> set[str]:
        """Every cluster something asks to watch."""
        return set(self.config.clusters if self.config.enabled else ()) | {
            s.cluster for s in self.subscriptions
        }

    def targets_for(self, cluster: str) -> tuple[WatchTarget, ...]:
        """What `cluster`'s watch must cover now (empty: nothing asks for it)."""
        subscribed = [s for s in self.subscriptions if s.cluster == cluster]
        if not subscribed:
            if not self.config.watches(cluster):
                return ()
            return tuple(watch_targets(self.config.resources, self.config.namespaces))
        wanted = set(self.config.resources if self.config.watches(cluster) else ())
        for subscription in subscribed:
            wanted |= set(resources_for(subscription.kinds))
        return tuple(WatchTarget(resource) for resource in RESOURCES if resource in wanted)
