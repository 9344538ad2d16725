"""Routes pick channels by label matchers (first match, `continue`, default); a wrong route or a
missing credential stops start-up naming its key; flood control admits N new cards a window per
channel and counts the rest in one summary."""

from __future__ import annotations

from typing import Any

import pytest

from bot.alerts.flood import Admit, FloodControl, Summarise
from bot.alerts.routes import Routes
from bot.domain.ports import Place
from bot.settings.alerts_settings import AlertsSettings
from bot.settings.config import ConfigError, load_config, parse_settings

PAGER, TEAM, ALL = Place("slack", "C-PAGER"), Place("discord", "42"), Place("slack", "C-ALL")


def routes(*entries: dict[str, Any]) -> Routes:
    settings = AlertsSettings.model_validate(
        {"routes": list(entries), "default_places": [{"platform": "slack", "channel": "C-ALL"}]}
    )
    return Routes.from_settings(settings)


def test_the_first_matching_route_decides_unless_it_continues() -> None:
    table = routes(
        {
            "match": ["severity=critical"],
            "places": [{"platform": "slack", "channel": "C-PAGER"}],
            "continue": True,
        },
        {"match": ["namespace=~shop|cart"], "places": [{"platform": "discord", "channel": "42"}]},
        {"match": ["namespace!=kube-system"], "places": [{"platform": "slack", "channel": "C-PAGER"}]},
        {"match": ["alertname!~Watchdog|InfoInhibitor"], "places": []},
    )
    assert table.places_for({"severity": "critical", "namespace": "shop"}) == (PAGER, TEAM)
    assert table.places_for({"severity": "warning", "namespace": "cart"}) == (TEAM,)
    assert table.places_for({"namespace": "shopping"}) == (PAGER,)  # regular expressions are anchored
    assert table.places_for({"namespace": "kube-system", "alertname": "KubeAPIDown"}) == ()  # routed nowhere
    assert table.places_for({"namespace": "kube-system", "alertname": "Watchdog"}) == (ALL,)


@pytest.mark.parametrize(
    ("alerts", "sentence"),
    [
        ({"routes": [{"match": ["namespace"], "places": []}]}, "'alerts.routes.0.match'"),
        ({"routes": [{"match": ["ns=~(unclosed"], "places": []}]}, "regular expression is not valid"),
        ({"routes": [{"places": [{"platform": "slack"}]}]}, "'alerts.routes.0.places.0.channel'"),
        ({"enabled": True}, "receiver.bearer_token_env or receiver.username"),
        ({"receiver": {"username": "am"}}, "username needs password_env"),
        ({"flood": {"new_cards_per_minute": 0}}, "'alerts.flood.new_cards_per_minute'"),
        ({"watch": {"kinds": ["secrets"]}}, "'alerts.watch.kinds.0'"),
        ({"colour": "red"}, "unknown key 'alerts.colour'"),
    ],
)
def test_a_wrong_alerts_section_names_its_key(alerts: dict[str, Any], sentence: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings({"alerts": alerts})
    assert sentence in str(caught.value)


def test_a_credential_variable_that_is_not_set_stops_start_up(tmp_path: Any) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("alerts:\n  enabled: true\n  receiver:\n    bearer_token_env: AM_HOOK_TOKEN\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert "alerts.receiver.bearer_token_env names AM_HOOK_TOKEN, which is not set" in str(caught.value)
    loaded = load_config(path, env={"AM_HOOK_TOKEN": "s3cret-hook-token"})
    assert loaded.secrets.named == {"AM_HOOK_TOKEN": "s3cret-hook-token"}
    assert "s3cret-hook-token" in loaded.secrets.values()  # registered for redaction at start


def test_flood_control_admits_the_limit_then_summarises_with_counts() -> None:
    flood = FloodControl(limit=3, window_s=60)
    decisions = [
        flood.decide("slack:C1", f"s{i}", count=i + 1, title=f"problem {i}", now=0.0) for i in range(6)
    ]
    assert [isinstance(d, Admit) for d in decisions] == [True, True, True, False, False, False]
    last = decisions[-1]
    assert isinstance(last, Summarise)
    assert (last.summary.subjects, last.summary.events) == (3, 4 + 5 + 6)
    assert last.summary.examples == ("problem 3", "problem 4", "problem 5")
    again = flood.decide("slack:C1", "s3", count=9, title="problem 3", now=10.0)  # counted again, not twice
    assert isinstance(again, Summarise) and (again.summary.subjects, again.summary.events) == (3, 9 + 5 + 6)
    assert isinstance(flood.decide("slack:C2", "s9", count=1, title="x", now=10.0), Admit)  # per channel


def test_flood_control_opens_again_after_the_window() -> None:
    flood = FloodControl(limit=2, window_s=60)
    for i in range(3):
        flood.decide("c", f"s{i}", count=1, title="", now=float(i))
    held = flood.decide("c", "s2", count=2, title="", now=59.0)
    assert isinstance(held, Summarise) and held.summary.started == 2.0
    assert isinstance(flood.decide("c", "s3", count=1, title="", now=62.5), Admit)
    late = [flood.decide("c", f"t{i}", count=1, title="", now=63.0) for i in range(3)]
    assert [type(d).__name__ for d in late] == ["Admit", "Summarise", "Summarise"]
    assert isinstance(late[-1], Summarise) and late[-1].summary.started == 63.0  # a new summary card
