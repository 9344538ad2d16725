"""The `alerts:` section of the config: the Alertmanager receiver, routes, flood control, the watch.

Credentials never sit in the file: the receiver names the environment
variables holding its bearer token or basic-auth password (read once at
start, like the Prometheus endpoints'). Route matchers are parsed here, so a
wrong one stops start-up with a message naming its key
(`alerts.routes.0.match.1`). This module reads nothing and connects nowhere.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tools.alertmanager.args import parse_matcher
from tools.kubernetes.signals import RESOURCES


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PlaceEntry(_Model):
    platform: str = Field(min_length=1, max_length=32)
    channel: str = Field(min_length=1, max_length=128)


class RouteEntry(_Model):
    # label=value, label!=value, label=~regex, label!~regex; all must hold (an empty list matches all)
    match: tuple[str, ...] = ()
    places: tuple[PlaceEntry, ...] = ()  # empty: matching alerts and events are posted nowhere
    # false: the first matching route decides; true: later routes are tried too
    continue_: bool = Field(default=False, alias="continue")

    @field_validator("match")
    @classmethod
    def _matchers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for text in value:
            matcher = parse_matcher(text)
            if matcher["isRegex"]:
                try:
                    re.compile(str(matcher["value"]))
                except re.error as error:
                    raise ValueError(f"{text!r}: the regular expression is not valid ({error})") from None
        return value


class ReceiverSettings(_Model):
    path: str = Field(default="/alerts/alertmanager", pattern=r"^/[A-Za-z0-9/_-]{1,100}$")
    bearer_token_env: str | None = None
    username: str | None = None
    password_env: str | None = None
    # `chatops chat` (the console) serves the receiver only on this port (on server.host), if set;
    # otherwise it shows the cluster watch's cards and alerts other replicas stored.
    console_port: int | None = Field(default=None, ge=1, le=65535)

    @model_validator(mode="after")
    def _one_way_in(self) -> ReceiverSettings:
        if self.password_env and not self.username:
            raise ValueError("password_env needs a username (basic auth)")
        if self.username and not self.password_env:
            raise ValueError("username needs password_env (the variable holding the password)")
        return self


class FloodSettings(_Model):
    new_cards_per_minute: int = Field(default=10, ge=1, le=1000)
    window_s: float = Field(default=60.0, gt=0, le=3600)


class WatchSettings(_Model):
    enabled: bool = False
    clusters: tuple[str, ...] = ()  # default: the default cluster
    kinds: tuple[Literal["events", "pods", "deployments", "nodes", "jobs"], ...] = RESOURCES  # type: ignore[assignment]
    namespaces: tuple[str, ...] = ()  # default: every namespace
    timeout_s: int = Field(default=300, ge=5, le=3600)
    # A Warning Event's signal closes when no new occurrence came for this long (checked every poll).
    event_quiet_s: float = Field(default=900.0, gt=0, le=7 * 24 * 3600)


class AlertsSettings(_Model):
    enabled: bool = False
    receiver: ReceiverSettings = ReceiverSettings()
    routes: tuple[RouteEntry, ...] = ()
    default_places: tuple[PlaceEntry, ...] = ()
    flood: FloodSettings = FloodSettings()
    watch: WatchSettings = WatchSettings()
    # How often the leader looks for alerts another replica received, and checks it still leads.
    poll_interval_s: float = Field(default=2.0, gt=0, le=60)
    # A card claimed by a poster that died before saving where it landed is posted again after this.
    card_claim_stale_s: float = Field(default=120.0, gt=0)
    # How long the leader looks at the object a new alert names (and draws the alert's chart) before
    # it posts the card anyway, with one line saying the diagnosis did not finish.
    findings_timeout_s: float = Field(default=5.0, gt=0, le=60)

    @model_validator(mode="after")
    def _receiver_is_guarded(self) -> AlertsSettings:
        receiver = self.receiver
        if self.enabled and not (receiver.bearer_token_env or receiver.password_env):
            raise ValueError(
                "the receiver needs receiver.bearer_token_env or receiver.username and "
                "receiver.password_env (Alertmanager's http_config), so forged alerts are refused"
            )
        return self

    def variables(self) -> list[tuple[str, str]]:
        """(key path, environment variable) of the receiver's credentials."""
        named = [
            ("bearer_token_env", self.receiver.bearer_token_env),
            ("password_env", self.receiver.password_env),
        ]
        return [(f"alerts.receiver.{key}", variable) for key, variable in named if variable]
