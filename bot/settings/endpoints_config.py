"""The `prometheus:` and `alertmanager:` sections of the config: HTTP endpoints for their tools.

Credentials never sit in the file: an endpoint names the environment
variables that hold its bearer token or password, read once at start.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tools.http_api import HttpEndpoint
from tools.prometheus import PrometheusSettings


class EndpointEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=63)
    url: str
    clusters: tuple[str, ...] = ("*",)
    bearer_token_env: str | None = None
    username: str | None = None
    password_env: str | None = None
    timeout_s: float = Field(default=10.0, gt=0, le=300)
    verify_tls: bool = True
    ca_file: Path | None = None

    @field_validator("url")
    @classmethod
    def _is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    def variables(self) -> list[tuple[str, str]]:
        """(config key, environment variable) of each credential this endpoint names."""
        named = [("bearer_token_env", self.bearer_token_env), ("password_env", self.password_env)]
        return [(key, variable) for key, variable in named if variable]

    def to_endpoint(self, env: Mapping[str, str]) -> HttpEndpoint:
        return HttpEndpoint(
            name=self.name,
            url=self.url,
            clusters=self.clusters,
            bearer_token=env.get(self.bearer_token_env) if self.bearer_token_env else None,
            username=self.username,
            password=env.get(self.password_env) if self.password_env else None,
            timeout_s=self.timeout_s,
            verify_tls=self.verify_tls,
            ca_file=self.ca_file.expanduser() if self.ca_file else None,
        )


def _variables(section: str, endpoints: tuple[EndpointEntry, ...]) -> list[tuple[str, str]]:
    return [
        (f"{section}.endpoints.{index}.{key}", variable)
        for index, endpoint in enumerate(endpoints)
        for key, variable in endpoint.variables()
    ]


class PrometheusConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoints: tuple[EndpointEntry, ...] = ()
    time_zone: str = "UTC"

    @field_validator("time_zone")
    @classmethod
    def _is_a_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. UTC, Europe/Berlin)") from None
        return value

    def variables(self) -> list[tuple[str, str]]:
        """(key path, environment variable) of every credential the endpoints name."""
        return _variables("prometheus", self.endpoints)

    def to_settings(self, env: Mapping[str, str]) -> PrometheusSettings:
        return PrometheusSettings(
            endpoints=tuple(e.to_endpoint(env) for e in self.endpoints), time_zone=self.time_zone
        )


class AlertmanagerConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoints: tuple[EndpointEntry, ...] = ()

    def variables(self) -> list[tuple[str, str]]:
        return _variables("alertmanager", self.endpoints)

    def to_endpoints(self, env: Mapping[str, str]) -> tuple[HttpEndpoint, ...]:
        return tuple(e.to_endpoint(env) for e in self.endpoints)
