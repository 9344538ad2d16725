"""Argument models of the Prometheus operations (validated before any query is built)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator, model_validator

from tools.base import ClusterArgs, NamespacedArgs, check_dns1123_subdomain
from tools.prometheus.queries import Kind
from tools.prometheus.summarise import parse_duration

# kubectl's short names, so `!chart cpu deploy web` works like kubectl would read it.
KIND_ALIASES: dict[str, Kind] = {
    "po": "pod",
    "pods": "pod",
    "deploy": "deployment",
    "deployments": "deployment",
    "sts": "statefulset",
    "statefulsets": "statefulset",
    "ds": "daemonset",
    "daemonsets": "daemonset",
    "no": "node",
    "nodes": "node",
    "ns": "namespace",
    "namespaces": "namespace",
}


def _duration(value: str) -> str:
    parse_duration(value)
    return value


class UsageArgs(NamespacedArgs):
    metric: Literal["cpu", "memory", "restarts", "network"] = Field(description="cpu|memory|restarts|network")
    kind: Kind = Field(description="pod|deployment|statefulset|daemonset|node|namespace")
    name: str = Field(min_length=1, max_length=253)
    since: str = Field(default="6h", description="how far back, e.g. 30m, 6h, 7d")
    around: str | None = Field(default=None, description="'rollout', a revision or an ISO time")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind_alias(cls, value: object) -> object:
        return KIND_ALIASES.get(str(value).lower(), str(value).lower()) if isinstance(value, str) else value

    @field_validator("name")
    @classmethod
    def _name_is_dns1123(cls, value: str) -> str:
        return check_dns1123_subdomain(value)

    @field_validator("since")
    @classmethod
    def _since_is_duration(cls, value: str) -> str:
        return _duration(value)


class QueryArgs(ClusterArgs):
    query: str = Field(min_length=1, max_length=2000, description="PromQL")
    since: str | None = Field(default=None, description="range, e.g. 1h; default: an instant query")
    chart: bool = Field(default=False, description="also draw the range as a chart image (needs since)")

    @field_validator("since")
    @classmethod
    def _since_is_duration(cls, value: str | None) -> str | None:
        return None if value is None else _duration(value)

    @model_validator(mode="after")
    def _a_chart_is_of_a_range(self) -> QueryArgs:
        if self.chart and self.since is None:
            raise ValueError("a chart needs a range: give since, e.g. 1h")
        return self


class LabelArgs(ClusterArgs):
    label: str | None = Field(default=None, max_length=100, description="list this label's values")

    @field_validator("label")
    @classmethod
    def _label_is_a_name(cls, value: str | None) -> str | None:
        if value is not None and not value.replace("_", "a").isalnum():
            raise ValueError(f"{value!r} is not a Prometheus label name (letters, digits and '_')")
        return value
