"""The Helm tools: reads, release changes and chart work, driven through the helm CLI.

`helm_operations()` is the package's whole public surface besides
`HelmSettings`: it wires the settings and the cluster set into the typed
operations the registry serves to `!helm …` commands and to the agent. The
operations never decide policy or approvals; the core does.
"""

from __future__ import annotations

from tools.base import Args, CommandSpec, Operation, PreviewFn, RunFn, Safety
from tools.helm import args as a
from tools.helm.charts import HelmCharts
from tools.helm.cli import HelmCli, HelmError
from tools.helm.reads import HelmReads
from tools.helm.refs import Refused
from tools.helm.releases import HelmReleases
from tools.helm.settings import HelmSettings
from tools.kubernetes.clusters import ClusterSet

__all__ = ["HelmError", "HelmSettings", "Refused", "helm_operations"]

_MARGIN_S = 15.0
RELEASE = "helm release"


def helm_operations(*, settings: HelmSettings, clusters: ClusterSet) -> list[Operation]:
    cli = HelmCli(settings=settings, clusters=clusters)
    reads, releases, charts = HelmReads(cli), HelmReleases(cli), HelmCharts(cli)
    read_timeout = settings.read_timeout_s + _MARGIN_S
    write_timeout = settings.timeout_s * 2 + _MARGIN_S  # a preview check plus the change itself

    def read(name: str, description: str, model: type[Args], run: RunFn, spec: CommandSpec) -> Operation:
        return Operation(
            name=name,
            description=description,
            safety=Safety.READ,
            args_model=model,
            run=run,
            command=spec,
            kind=RELEASE if issubclass(model, a.ReleaseArgs) else None,
            timeout_s=read_timeout,
        )

    def write(
        name: str,
        description: str,
        model: type[Args],
        pair: tuple[RunFn, PreviewFn],
        spec: CommandSpec,
        *,
        safety: Safety = Safety.WRITE,
        kind: str | None = RELEASE,
    ) -> Operation:
        run, preview = pair
        return Operation(
            name=name,
            description=description,
            safety=safety,
            args_model=model,
            run=run,
            preview=preview,
            command=spec,
            kind=kind,
            timeout_s=write_timeout,
        )

    def words(*rest: str) -> tuple[str, ...]:
        return ("helm", *rest)

    return [
        read(
            "helm_repo_list",
            "List added Helm repositories.",
            a.RepoListArgs,
            reads.repo_list,
            CommandSpec(words("repo", "list")),
        ),
        read(
            "helm_search",
            "Search added Helm repositories for charts.",
            a.SearchArgs,
            reads.search,
            CommandSpec(words("search"), positionals=("keyword",)),
        ),
        read(
            "helm_list",
            "List Helm releases in a namespace or all namespaces.",
            a.ListArgs,
            reads.list_releases,
            CommandSpec(words("list"), aliases={"-A": "all_namespaces"}),
        ),
        read(
            "helm_status",
            "Show a Helm release's status, chart and objects.",
            a.ReleaseArgs,
            reads.status,
            CommandSpec(words("status"), positionals=("name",)),
        ),
        read(
            "helm_history",
            "Show a Helm release's revisions.",
            a.HistoryArgs,
            reads.history,
            CommandSpec(words("history"), positionals=("name",)),
        ),
        read(
            "helm_get_values",
            "Show a Helm release's values (secrets masked).",
            a.GetValuesArgs,
            reads.get_values,
            CommandSpec(words("get", "values"), positionals=("name",)),
        ),
        read(
            "helm_get_manifest",
            "Summarise the objects a Helm release manages.",
            a.ManifestArgs,
            reads.get_manifest,
            CommandSpec(words("get", "manifest"), positionals=("name",)),
        ),
        read(
            "helm_show",
            "Show a chart's metadata or default values.",
            a.ShowArgs,
            reads.show,
            CommandSpec(words("show"), positionals=("what", "chart")),
        ),
        read(
            "helm_template",
            "Render a chart locally and list its objects.",
            a.TemplateArgs,
            reads.template,
            CommandSpec(words("template"), positionals=("name", "chart"), code_block_field="values"),
        ),
        read(
            "helm_lint",
            "Lint a chart in the chart directory.",
            a.LintArgs,
            reads.lint,
            CommandSpec(words("lint"), positionals=("chart",)),
        ),
        write(
            "helm_repo_add",
            "Add an allow-listed Helm repository.",
            a.RepoAddArgs,
            (charts.repo_add, charts.preview_repo_add),
            CommandSpec(words("repo", "add"), positionals=("name", "url")),
            kind="helm repository",
        ),
        write(
            "helm_repo_update",
            "Refresh Helm repository indexes.",
            a.RepoUpdateArgs,
            (charts.repo_update, charts.preview_repo_update),
            CommandSpec(words("repo", "update"), positionals=("names",)),
            kind="helm repository",
        ),
        write(
            "helm_install",
            "Install a Helm chart as a new release.",
            a.InstallArgs,
            (releases.install, releases.preview_install),
            CommandSpec(words("install"), positionals=("name", "chart"), code_block_field="values"),
        ),
        write(
            "helm_upgrade",
            "Upgrade a Helm release to a chart version or new values.",
            a.UpgradeArgs,
            (releases.upgrade, releases.preview_upgrade),
            CommandSpec(words("upgrade"), positionals=("name", "chart"), code_block_field="values"),
        ),
        write(
            "helm_rollback",
            "Roll a Helm release back to an earlier revision.",
            a.RollbackArgs,
            (releases.rollback, releases.preview_rollback),
            CommandSpec(words("rollback"), positionals=("name", "revision")),
        ),
        write(
            "helm_create",
            "Scaffold a new chart in the chart directory.",
            a.CreateArgs,
            (charts.create, charts.preview_create),
            CommandSpec(words("create"), positionals=("name",)),
            kind="helm chart",
        ),
        write(
            "helm_package",
            "Package a chart from the chart directory.",
            a.PackageArgs,
            (charts.package, charts.preview_package),
            CommandSpec(words("package"), positionals=("chart",)),
            kind="helm chart",
        ),
        write(
            "helm_uninstall",
            "Uninstall a Helm release and delete its objects.",
            a.UninstallArgs,
            (releases.uninstall, releases.preview_uninstall),
            CommandSpec(words("uninstall"), positionals=("name",)),
            safety=Safety.DESTRUCTIVE,
        ),
    ]
