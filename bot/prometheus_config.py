"""The `prometheus:` section of the config, and its settings for the Prometheus tools.

Credentials never sit in the file: an endpoint names the environment
variables that hold its bearer token or password, read once at start.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tools.prometheus import PrometheusEndpoint, PrometheusSettings


class PrometheusEndpointEntry(BaseModel):
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


class PrometheusConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoints: tuple[PrometheusEndpointEntry, ...] = ()
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
        return [
            (f"prometheus.endpoints.{index}.{key}", variable)
            for index, endpoint in enumerate(self.endpoints)
            for key, variable in endpoint.variables()
        ]

    def to_settings(self, env: Mapping[str, str]) -> PrometheusSettings:
        return PrometheusSettings(
            endpoints=tuple(
                PrometheusEndpoint(
                    name=e.name,
                    url=e.url,
                    clusters=e.clusters,
                    bearer_token=env.get(e.bearer_token_env) if e.bearer_token_env else None,
                    username=e.username,
                    password=env.get(e.password_env) if e.password_env else None,
                    timeout_s=e.timeout_s,
                    verify_tls=e.verify_tls,
                    ca_file=e.ca_file.expanduser() if e.ca_file else None,
                )
                for e in self.endpoints
            ),
            time_zone=self.time_zone,
        )
