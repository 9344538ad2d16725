"""Helm reads: repositories, search, releases, status, history, values, manifests, charts.

Each read runs one helm command, parses its JSON (or YAML where helm offers
nothing else) and answers with a short table or summary within the token
budget. Values are masked, manifests reduced to kinds and names, notes
scrubbed of the release's secret values. Nothing here changes a cluster.
"""

from __future__ import annotations

from typing import Any

from tools.base import OperationResult, RunContext, Status, Table
from tools.helm import args as a
from tools.helm.cli import HelmCli, HelmError, failure
from tools.helm.refs import Refused, resolve_chart
from tools.helm.summaries import (
    budget_chars,
    count_kinds,
    manifest_secrets,
    mask_values,
    parse_manifest,
    scrub,
    summarise_objects,
    to_yaml,
    truncate,
)
from tools.parsing import ParseRefused, load_yaml

MAX_ROWS = 50


def _rows(items: list[dict[str, Any]], columns: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(str(item.get(c, "")) for c in columns) for item in items[:MAX_ROWS])


def _more(items: list[Any]) -> str:
    return f" (showing {MAX_ROWS} of {len(items)})" if len(items) > MAX_ROWS else ""


def values_input(args: a.ValuesInputs) -> tuple[list[str], bytes | None]:
    """The `--set`/`--values` flags of a chart call and the values YAML for stdin."""
    flags = [f"--set={key}={value}" for key, value in args.set.items()]
    if args.values:
        return ["--values=-", *flags], args.values.encode()
    return flags, None


def release_summary(release: dict[str, Any], *, limit: int) -> tuple[str, dict[str, Any]]:
    """A release JSON (status, dry run) as one paragraph plus safe data; never its values or manifest."""
    info = release.get("info") or {}
    metadata = (release.get("chart") or {}).get("metadata") or {}
    secrets: set[str] = set()
    mask_values(release.get("config") or {}, secrets=secrets)
    secrets |= manifest_secrets(str(release.get("manifest") or ""))
    objects = parse_manifest(str(release.get("manifest") or ""))
    data = {
        "name": release.get("name"),
        "namespace": release.get("namespace"),
        "revision": release.get("version"),
        "status": info.get("status"),
        "chart": metadata.get("name"),
        "chart_version": metadata.get("version"),
        "app_version": metadata.get("appVersion"),
        "last_deployed": info.get("last_deployed"),
        "description": scrub(str(info.get("description") or ""), secrets),
        "objects": count_kinds(objects),
    }
    text = (
        f"{data['name']} in {data['namespace']}: {data['status']}, revision {data['revision']}, "
        f"chart {data['chart']}-{data['chart_version']} (app {data['app_version']}), "
        f"last deployed {data['last_deployed']}. {data['description']}\n"
        f"Objects: {summarise_objects(objects, limit_chars=limit // 2)}"
    )
    notes = scrub(str(info.get("notes") or ""), secrets).strip()
    if notes:
        text += "\nNotes:\n" + truncate(notes, max(200, limit // 4))
    return truncate(text, limit), data


class HelmReads:
    def __init__(self, cli: HelmCli) -> None:
        self.cli = cli

    async def repo_list(self, args: a.RepoListArgs, ctx: RunContext) -> OperationResult:
        try:
            repos = await self.cli.run_json(["repo", "list"], ctx=ctx) or []
        except HelmError as e:
            if "no repositories" in str(e):
                return OperationResult(status=Status.NO_DATA, text="No Helm repositories are added yet.")
            return failure("helm repo list", e)
        if not repos:
            return OperationResult(status=Status.NO_DATA, text="No Helm repositories are added yet.")
        table = Table(columns=("name", "url"), rows=_rows(repos, ("name", "url")))
        return OperationResult(status=Status.OK, text=f"{len(repos)} repositories.", table=table)

    async def search(self, args: a.SearchArgs, ctx: RunContext) -> OperationResult:
        argv = ["search", "repo", *([args.keyword] if args.keyword else [])]
        argv += ["--versions"] if args.versions else []
        argv += [f"--version={args.version}"] if args.version else []
        try:
            charts = await self.cli.run_json(argv, ctx=ctx) or []
        except HelmError as e:
            return failure("helm search repo", e)
        if not charts:
            return OperationResult(status=Status.NO_DATA, text=f"No charts match {args.keyword!r}.")
        columns = ("name", "version", "app_version", "description")
        text = f"{len(charts)} charts{_more(charts)}."
        return OperationResult(status=Status.OK, text=text, table=Table(columns, _rows(charts, columns)))

    async def list_releases(self, args: a.ListArgs, ctx: RunContext) -> OperationResult:
        argv = ["list", *(["--all-namespaces"] if args.all_namespaces else [])]
        if args.status:
            argv.append(f"--{args.status}")
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            releases = await self.cli.run_json(argv, ctx=ctx, target=target) or []
        except HelmError as e:
            return failure("helm list", e)
        where = "all namespaces" if args.all_namespaces else f"namespace {target.namespace}"
        if args.all_namespaces and ctx.readable is not None:
            readable = ctx.readable
            releases = [r for r in releases if readable(str(r.get("namespace") or ""))]
        if not releases:
            return OperationResult(status=Status.NO_DATA, text=f"No Helm releases in {where}.")
        columns = ("name", "namespace", "revision", "status", "chart", "app_version", "updated")
        table = Table(columns, _rows(releases, columns))
        text = f"{len(releases)} releases in {where}{_more(releases)}."
        return OperationResult(status=Status.OK, text=text, table=table)

    async def status(self, args: a.ReleaseArgs, ctx: RunContext) -> OperationResult:
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            release = await self.cli.run_json(["status", args.name], ctx=ctx, target=target)
        except HelmError as e:
            return failure(f"helm status {args.name}", e)
        text, data = release_summary(release or {}, limit=budget_chars(ctx.budget_tokens))
        return OperationResult(status=Status.OK, text=text, data=data)

    async def history(self, args: a.HistoryArgs, ctx: RunContext) -> OperationResult:
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            argv = ["history", args.name, f"--max={args.max}"]
            revisions = await self.cli.run_json(argv, ctx=ctx, target=target) or []
        except HelmError as e:
            return failure(f"helm history {args.name}", e)
        columns = ("revision", "updated", "status", "chart", "app_version", "description")
        rows = tuple(tuple(scrub(str(r.get(c, "")), ()) for c in columns) for r in revisions[:MAX_ROWS])
        text = f"{len(revisions)} revisions of {args.name}."
        return OperationResult(status=Status.OK, text=text, table=Table(columns, rows))

    async def get_values(self, args: a.GetValuesArgs, ctx: RunContext) -> OperationResult:
        argv = ["get", "values", args.name, *(["--all"] if args.all else [])]
        argv += [f"--revision={args.revision}"] if args.revision else []
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            values = await self.cli.run_json(argv, ctx=ctx, target=target) or {}
        except HelmError as e:
            return failure(f"helm get values {args.name}", e)
        if not values:
            return OperationResult(status=Status.NO_DATA, text=f"{args.name} has no user-supplied values.")
        masked = mask_values(values)
        code = truncate(to_yaml(masked), budget_chars(ctx.budget_tokens))
        return OperationResult(status=Status.OK, text=f"Values of {args.name} (secrets masked):", code=code)

    async def get_manifest(self, args: a.ManifestArgs, ctx: RunContext) -> OperationResult:
        argv = ["get", "manifest", args.name, *([f"--revision={args.revision}"] if args.revision else [])]
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            outcome = await self.cli.run(argv, ctx=ctx, target=target)
        except HelmError as e:
            return failure(f"helm get manifest {args.name}", e)
        objects = parse_manifest(outcome.stdout)
        text = f"Manifest of {args.name}: " + summarise_objects(
            objects, limit_chars=budget_chars(ctx.budget_tokens)
        )
        return OperationResult(status=Status.OK, text=text, data={"objects": count_kinds(objects)})

    async def show(self, args: a.ShowArgs, ctx: RunContext) -> OperationResult:
        try:
            chart = resolve_chart(args.chart, self.cli.settings)
            argv = ["show", args.what, chart, *([f"--version={args.version}"] if args.version else [])]
            outcome = await self.cli.run(argv, ctx=ctx)
            document = load_yaml(outcome.stdout, what="helm's output", max_bytes=64 * 1024 * 1024) or {}
        except (HelmError, Refused) as e:
            return failure(f"helm show {args.what} {args.chart}", e)
        except ParseRefused:
            return OperationResult.failure(
                call=f"helm show {args.what}", message="helm printed unreadable YAML"
            )
        limit = budget_chars(ctx.budget_tokens)
        if args.what == "values":
            code = truncate(to_yaml(mask_values(document)), limit)
            return OperationResult(status=Status.OK, text=f"Default values of {args.chart}:", code=code)
        keys = ("name", "version", "appVersion", "description", "type", "kubeVersion", "home")
        data = {k: document[k] for k in keys if k in document}
        deps = [f"{d.get('name')} {d.get('version')}" for d in document.get("dependencies") or []]
        text = ", ".join(f"{k}: {v}" for k, v in data.items()) + (
            f"; depends on {', '.join(deps)}" if deps else ""
        )
        return OperationResult(status=Status.OK, text=truncate(text, limit), data=data)

    async def template(self, args: a.TemplateArgs, ctx: RunContext) -> OperationResult:
        try:
            chart = resolve_chart(args.chart, self.cli.settings)
            flags, stdin = values_input(args)
            argv = ["template", args.name, chart, *flags]
            argv += [f"--version={args.version}"] if args.version else []
            argv += [f"--namespace={args.namespace}"] if args.namespace else []
            outcome = await self.cli.run(argv, ctx=ctx, stdin=stdin)
        except (HelmError, Refused) as e:
            return failure(f"helm template {args.chart}", e)
        objects = parse_manifest(outcome.stdout)
        text = f"{args.chart} renders " + summarise_objects(
            objects, limit_chars=budget_chars(ctx.budget_tokens)
        )
        return OperationResult(status=Status.OK, text=text, data={"objects": count_kinds(objects)})

    async def lint(self, args: a.LintArgs, ctx: RunContext) -> OperationResult:
        try:
            chart = resolve_chart(args.chart, self.cli.settings)
            if not chart.startswith("/"):
                raise Refused(f"helm lint works on charts in the chart directory, not {args.chart!r}")
            argv = ["lint", chart, *(["--strict"] if args.strict else [])]
            outcome = await self.cli.run(argv, ctx=ctx, check=False)
        except (HelmError, Refused) as e:
            return failure(f"helm lint {args.chart}", e)
        findings = [
            line.strip().replace(chart, args.chart)
            for line in outcome.stdout.splitlines()
            if line.strip().startswith(("[ERROR]", "[WARNING]", "[INFO]"))
        ]
        verdict = "passed" if outcome.returncode == 0 else "failed"
        text = f"Lint of {args.chart} {verdict}" + (":\n" + "\n".join(findings) if findings else ".")
        status = Status.OK if outcome.returncode == 0 else Status.ERROR
        error = None if outcome.returncode == 0 else f"lint failed with {len(findings)} findings"
        return OperationResult(
            status=status, text=truncate(text, budget_chars(ctx.budget_tokens)), error=error
        )
