"""Argument models of the Helm operations (what the LLM and `!helm` commands may pass).

Syntax is checked here, before any call: release names, chart references,
versions, `--set` pairs and the values block. Unknown fields such as
`post_renderer` or `plugin` are refused by `extra="forbid"`. Checks that
need the settings (allow-list, chart directory) live in `refs.resolve_chart`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from tools.base import Args, ClusterArgs, NamespacedArgs, check_dns1123_label
from tools.helm.refs import (
    check_chart_syntax,
    check_release_name,
    check_set_pair,
    check_values_yaml,
    check_version,
)

ReleaseStatus = Literal["deployed", "failed", "pending", "superseded", "uninstalled", "uninstalling"]


class RepoListArgs(Args):
    pass


class SearchArgs(Args):
    keyword: str = Field(
        default="", max_length=100, pattern=r"^[A-Za-z0-9._/ -]*$", description="search term"
    )
    versions: bool = Field(default=False, description="list every version")
    version: str | None = Field(default=None, description="version constraint, e.g. ^1.2")

    @field_validator("version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        return None if value is None else check_version(value)

    @field_validator("keyword")
    @classmethod
    def _keyword(cls, value: str) -> str:
        if value.startswith("-"):
            raise ValueError("the search keyword must not start with '-'")
        return value


class ListArgs(NamespacedArgs):
    all_namespaces: bool = Field(default=False, description="every namespace")
    status: ReleaseStatus | None = Field(default=None, description="only releases in this status")


class ReleaseArgs(NamespacedArgs):
    name: str = Field(description="release name")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_release_name(value)


class HistoryArgs(ReleaseArgs):
    max: int = Field(default=10, ge=1, le=100, description="revisions to show")


class GetValuesArgs(ReleaseArgs):
    all: bool = Field(default=False, description="include chart defaults")
    revision: int | None = Field(default=None, ge=1, description="revision; default: current")


class ManifestArgs(ReleaseArgs):
    revision: int | None = Field(default=None, ge=1, description="revision; default: current")


class ChartArgs(Args):
    chart: str = Field(description="repo/chart, oci:// ref or chart directory name")
    version: str | None = Field(default=None, description="chart version")

    @field_validator("chart")
    @classmethod
    def _chart(cls, value: str) -> str:
        return check_chart_syntax(value)

    @field_validator("version")
    @classmethod
    def _version(cls, value: str | None) -> str | None:
        return None if value is None else check_version(value)


class ShowArgs(ChartArgs):
    what: Literal["chart", "values"] = Field(default="chart", description="chart or values")


class ValuesInputs(ChartArgs):
    set: dict[str, str] = Field(default_factory=dict, description="--set key=value pairs")
    values: str | None = Field(default=None, description="values YAML")

    @field_validator("set")
    @classmethod
    def _set(cls, value: dict[str, str]) -> dict[str, str]:
        if len(value) > 50:
            raise ValueError("at most 50 --set pairs; put the rest in a values block")
        return dict(check_set_pair(k, v) for k, v in value.items())

    @field_validator("values")
    @classmethod
    def _values(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else check_values_yaml(value)


class TemplateArgs(ValuesInputs):
    name: str = Field(default="release", description="release name")
    namespace: str | None = Field(default=None, description="namespace")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_release_name(value)

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        return None if value is None else check_dns1123_label(value, what="namespace")


class LintArgs(Args):
    chart: str = Field(description="chart directory name")
    strict: bool = Field(default=False, description="warnings fail")

    @field_validator("chart")
    @classmethod
    def _chart(cls, value: str) -> str:
        return check_chart_syntax(value)


class InstallArgs(ValuesInputs, ClusterArgs):
    name: str = Field(description="release name")
    namespace: str | None = Field(default=None, description="namespace; default: the channel's")
    create_namespace: bool = Field(default=False, description="create the namespace")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_release_name(value)

    @field_validator("namespace")
    @classmethod
    def _namespace(cls, value: str | None) -> str | None:
        return None if value is None else check_dns1123_label(value, what="namespace")


class UpgradeArgs(InstallArgs):
    reuse_values: bool = Field(default=False, description="keep the release's current values")


class RollbackArgs(ReleaseArgs):
    revision: int | None = Field(default=None, ge=1, description="revision; default: the previous one")


class UninstallArgs(ReleaseArgs):
    keep_history: bool = Field(default=False, description="keep the release history")


class RepoAddArgs(Args):
    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$", description="repository name")
    url: str | None = Field(default=None, max_length=500, description="must match the configured URL")


class RepoUpdateArgs(Args):
    names: list[str] = Field(default_factory=list, max_length=20, description="repositories; default: all")

    @field_validator("names")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        for name in value:
            if name.startswith("-") or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
                raise ValueError(f"repository name {name!r} is not valid")
        return value


class CreateArgs(Args):
    name: str = Field(description="new chart name")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_label(value, what="chart name")


class PackageArgs(Args):
    chart: str = Field(description="chart directory name")
    version: str | None = Field(default=None, description="override the chart version")
    app_version: str | None = Field(default=None, description="override the app version")

    @field_validator("chart")
    @classmethod
    def _chart(cls, value: str) -> str:
        return check_chart_syntax(value)

    @field_validator("version", "app_version")
    @classmethod
    def _versions(cls, value: str | None) -> str | None:
        return None if value is None else check_version(value)
