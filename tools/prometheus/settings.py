"""Prometheus settings: which Prometheus-compatible endpoint serves which cluster.

Plain data handed in by the core from the config file, with the credentials
already read from the environment; this module reads no files and no
environment variables. Prometheus, Thanos, Mimir and VictoriaMetrics all speak
the same HTTP API (`/api/v1/query`, `/api/v1/query_range`, …).
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Sequence
from pathlib import Path

CONFIG_KEY = "prometheus.endpoints"


@dataclasses.dataclass(frozen=True)
class PrometheusEndpoint:
    """One endpoint. `clusters` are glob patterns of the cluster names it serves."""

    name: str
    url: str
    clusters: tuple[str, ...] = ("*",)
    bearer_token: str | None = dataclasses.field(default=None, repr=False)
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    timeout_s: float = 10.0
    verify_tls: bool = True
    ca_file: Path | None = None

    def serves(self, cluster: str | None) -> bool:
        return any(fnmatch.fnmatchcase(cluster or "", pattern) for pattern in self.clusters)


@dataclasses.dataclass(frozen=True)
class PrometheusSettings:
    endpoints: tuple[PrometheusEndpoint, ...] = ()
    # The time zone chart axes are drawn in (an IANA name).
    time_zone: str = "UTC"

    @property
    def configured(self) -> bool:
        return bool(self.endpoints)

    def endpoint_for(self, cluster: str | None) -> PrometheusEndpoint | None:
        """The first endpoint whose patterns match the cluster (config order decides)."""
        return next((e for e in self.endpoints if e.serves(cluster)), None)

    def names(self) -> Sequence[str]:
        return [e.name for e in self.endpoints]
