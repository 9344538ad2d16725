"""Prometheus settings: which Prometheus-compatible endpoint serves which cluster.

Plain data handed in by the core from the config file, with the credentials
already read from the environment; this module reads no files and no
environment variables. Prometheus, Thanos, Mimir and VictoriaMetrics all speak
the same HTTP API (`/api/v1/query`, `/api/v1/query_range`, …).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from tools.http_api import HttpEndpoint, first_serving

CONFIG_KEY = "prometheus.endpoints"


# Prometheus endpoints are plain HTTP endpoints (URL, clusters served, credentials).
PrometheusEndpoint = HttpEndpoint


@dataclasses.dataclass(frozen=True)
class PrometheusSettings:
    endpoints: tuple[PrometheusEndpoint, ...] = ()
    # The time zone chart axes are drawn in (an IANA name).
    time_zone: str = "UTC"

    @property
    def configured(self) -> bool:
        return bool(self.endpoints)

    def endpoint_for(self, cluster: str | None) -> PrometheusEndpoint | None:
        return first_serving(self.endpoints, cluster)

    def names(self) -> Sequence[str]:
        return [e.name for e in self.endpoints]
