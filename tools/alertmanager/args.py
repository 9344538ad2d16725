"""Argument models and matcher parsing of the Alertmanager operations."""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field, field_validator, model_validator

from tools.base import ClusterArgs
from tools.prometheus.summarise import parse_duration

_MATCHER = re.compile(r"^([a-zA-Z_][a-zA-Z0-9_]{0,99})(=~|!~|!=|=)(.{0,200})$")
MAX_SILENCE = "7d"


def parse_matcher(text: str) -> dict[str, Any]:
    """`alertname=X`, `pod=~web-.*`, `severity!=info` → Alertmanager's matcher object."""
    match = _MATCHER.match(text.strip())
    if match is None:
        raise ValueError(
            f"{text!r} is not a matcher; write label=value (or !=, =~ for a regular expression, !~)"
        )
    name, op, value = match.groups()
    value = value.strip().strip('"')
    if not value and op in ("=", "=~"):
        raise ValueError(f"{text!r} matches nothing; give a value")
    return {"name": name, "value": value, "isRegex": "~" in op, "isEqual": not op.startswith("!")}


def matcher_text(matcher: dict[str, Any]) -> str:
    op = ("=" if matcher.get("isEqual", True) else "!") + ("~" if matcher.get("isRegex") else "")
    op = {"=": "=", "!": "!=", "=~": "=~", "!~": "!~"}[op]
    return f'{matcher.get("name")}{op}"{matcher.get("value")}"'


class AlertsArgs(ClusterArgs):
    filter: list[str] = Field(default_factory=list, description="matchers, e.g. alertname=X,namespace=prod")
    silenced: bool = Field(default=False, description="include silenced alerts")

    @field_validator("filter")
    @classmethod
    def _matchers(cls, value: list[str]) -> list[str]:
        for item in value:
            parse_matcher(item)
        return value


class SilenceArgs(ClusterArgs):
    matchers: list[str] = Field(min_length=1, max_length=10, description="label=value matchers")
    duration: str = Field(default="1h", description="how long, e.g. 1h, 4h, 2d (at most 7d)")
    comment: str = Field(default="", max_length=300)
    alert: str | None = Field(
        default=None, pattern=r"^[0-9a-f]{1,64}$", description="fingerprint of the alert it is for"
    )
    until_resolved: bool = Field(
        default=False, description="expire it as soon as that alert resolves (needs `alert`)"
    )

    @model_validator(mode="after")
    def _resolves(self) -> SilenceArgs:
        if self.until_resolved and self.alert is None:
            raise ValueError("a silence until resolved needs the fingerprint of its alert")
        return self

    @field_validator("matchers")
    @classmethod
    def _matchers(cls, value: list[str]) -> list[str]:
        parsed = [parse_matcher(item) for item in value]
        if not any(m["isEqual"] and not m["isRegex"] for m in parsed):
            raise ValueError("give at least one exact matcher (label=value), so the silence is not too wide")
        return value

    @field_validator("duration")
    @classmethod
    def _duration(cls, value: str) -> str:
        if parse_duration(value) > parse_duration(MAX_SILENCE):
            raise ValueError(f"{value!r} is longer than {MAX_SILENCE}; silence for less")
        return value


class SilenceIdArgs(ClusterArgs):
    silence_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
