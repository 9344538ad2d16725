"""Where an alert or a cluster event goes: label matchers → places, with a default route.

Routes are tried in order; the first whose matchers all hold decides, unless
it says `continue`, in which case later ones add their places too. Nothing
matched: the default places. Regular expressions are anchored, as in
Alertmanager. Pure functions over labels; nothing here posts anything.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from bot.domain.ports import Place
from bot.settings.alerts_settings import AlertsSettings, PlaceEntry
from storage.alert_records import AlertRecord, SignalRecord
from tools.alertmanager.args import parse_matcher


@dataclasses.dataclass(frozen=True)
class Matcher:
    name: str
    value: str
    regex: bool
    equal: bool

    @classmethod
    def parse(cls, text: str) -> Matcher:
        m = parse_matcher(text)
        return cls(str(m["name"]), str(m["value"]), bool(m["isRegex"]), bool(m["isEqual"]))

    def holds(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.name, "")
        hit = re.fullmatch(self.value, actual) is not None if self.regex else actual == self.value
        return hit if self.equal else not hit


@dataclasses.dataclass(frozen=True)
class Route:
    matchers: tuple[Matcher, ...]
    places: tuple[Place, ...]
    continue_: bool = False

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(m.holds(labels) for m in self.matchers)


def _places(entries: Sequence[PlaceEntry]) -> tuple[Place, ...]:
    return tuple(Place(e.platform, e.channel) for e in entries)


@dataclasses.dataclass(frozen=True)
class Routes:
    routes: tuple[Route, ...]
    default: tuple[Place, ...]

    @classmethod
    def from_settings(cls, settings: AlertsSettings) -> Routes:
        routes = tuple(
            Route(tuple(Matcher.parse(t) for t in r.match), _places(r.places), r.continue_)
            for r in settings.routes
        )
        return cls(routes, _places(settings.default_places))

    def places_for(self, labels: Mapping[str, str]) -> tuple[Place, ...]:
        found: list[Place] = []
        matched = False
        for route in self.routes:
            if route.matches(labels):
                matched = True
                found += [p for p in route.places if p not in found]
                if not route.continue_:
                    break
        return tuple(found) if matched else self.default


def signal_labels(signal: SignalRecord) -> dict[str, str]:
    """The labels a route sees for a cluster event (the same names alerts use where they apply)."""
    labels = {
        "cluster": signal.cluster,
        "kind": signal.kind,
        "name": signal.name,
        "reason": signal.reason,
        "alertname": signal.reason,
        "severity": "warning",
        "source": "watch",
    }
    if signal.namespace:
        labels["namespace"] = signal.namespace
    if signal.kind in ("Pod", "Deployment", "Node", "Job", "StatefulSet"):
        labels[signal.kind.lower()] = signal.name
    return labels


def alert_labels(alert: AlertRecord) -> dict[str, str]:
    return {**{str(k): str(v) for k, v in alert.labels.items()}, "source": "alertmanager"}
