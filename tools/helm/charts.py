"""Helm changes that touch no cluster: repositories, chart scaffolds, packages.

`repo add` only adds repositories named on the allow-list, with the URL from
the config; `create` and `package` write only inside the configured chart
directory (paths resolved, symlinks and `..` included). These are WRITE
operations on the bot's own host; they never run helm against a cluster.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from tools.base import OperationResult, Preview, RunContext, Status
from tools.helm import args as a
from tools.helm.cli import HelmCli, HelmError, failure
from tools.helm.refs import Refused, resolve_chart_dir_entry


class HelmCharts:
    def __init__(self, cli: HelmCli) -> None:
        self.cli = cli

    @property
    def chart_dir(self) -> Path:
        return Path(self.cli.settings.chart_dir).expanduser().resolve()

    def _repository_url(self, args: a.RepoAddArgs) -> str:
        repositories = self.cli.settings.repositories
        url = repositories.get(args.name)
        if url is None:
            allowed = ", ".join(sorted(repositories)) or "none"
            raise Refused(
                f"repository {args.name!r} is not on the allow-list (allowed: {allowed}); "
                "an admin can add it under helm.repositories in the config"
            )
        if url.startswith("oci://"):
            raise Refused(
                f"{args.name} is an OCI registry: use {url}/CHART as the chart, no 'repo add' needed"
            )
        if args.url is not None and args.url.rstrip("/") != url.rstrip("/"):
            raise Refused(f"repository {args.name} is allowed only with its configured URL {url}")
        return url

    async def preview_repo_add(self, args: a.RepoAddArgs, ctx: RunContext) -> Preview:
        try:
            url = self._repository_url(args)
        except Refused as e:
            return Preview(text=str(e), ok=False)
        runs = self.cli.plan(["repo", "add", args.name, url], ctx=ctx)
        return Preview(text=f"Add Helm repository {args.name} ({url}) and download its index.\n{runs}")

    async def repo_add(self, args: a.RepoAddArgs, ctx: RunContext) -> OperationResult:
        try:
            url = self._repository_url(args)
            await self.cli.run(
                ["repo", "add", args.name, url], ctx=ctx, timeout_s=self.cli.settings.timeout_s
            )
        except (HelmError, Refused) as e:
            return failure(f"helm repo add {args.name}", e)
        return OperationResult(status=Status.OK, text=f"Added Helm repository {args.name} ({url}).")

    def _update_names(self, args: a.RepoUpdateArgs) -> list[str]:
        allowed = self.cli.settings.index_repositories()
        unknown = [name for name in args.names if name not in allowed]
        if unknown:
            known = ", ".join(sorted(allowed)) or "none"
            raise Refused(f"repository {unknown[0]!r} is not on the allow-list (allowed: {known})")
        return list(args.names)

    async def preview_repo_update(self, args: a.RepoUpdateArgs, ctx: RunContext) -> Preview:
        try:
            names = self._update_names(args)
        except Refused as e:
            return Preview(text=str(e), ok=False)
        runs = self.cli.plan(["repo", "update", *names], ctx=ctx)
        return Preview(
            text=f"Refresh the chart index of {', '.join(names) or 'every added repository'}.\n{runs}"
        )

    async def repo_update(self, args: a.RepoUpdateArgs, ctx: RunContext) -> OperationResult:
        try:
            names = self._update_names(args)
            await self.cli.run(["repo", "update", *names], ctx=ctx, timeout_s=self.cli.settings.timeout_s)
        except (HelmError, Refused) as e:
            return failure("helm repo update", e)
        return OperationResult(status=Status.OK, text=f"Updated {', '.join(names) or 'every repository'}.")

    def _new_chart_path(self, args: a.CreateArgs) -> Path:
        path = resolve_chart_dir_entry(args.name, self.cli.settings)
        if path.exists():
            raise Refused(
                f"{args.name} already exists in the chart directory {self.chart_dir}; pick another name"
            )
        return path

    async def preview_create(self, args: a.CreateArgs, ctx: RunContext) -> Preview:
        try:
            path = self._new_chart_path(args)
        except Refused as e:
            return Preview(text=str(e), ok=False)
        runs = self.cli.plan(["create", str(path)], ctx=ctx)
        return Preview(text=f"Create a new chart scaffold {args.name} at {path}.\n{runs}")

    async def create(self, args: a.CreateArgs, ctx: RunContext) -> OperationResult:
        try:
            path = self._new_chart_path(args)
            self.chart_dir.mkdir(parents=True, exist_ok=True)
            await self.cli.run(["create", str(path)], ctx=ctx)
        except (HelmError, Refused, OSError) as e:
            return failure(f"helm create {args.name}", e)
        return OperationResult(status=Status.OK, text=f"Created chart {args.name} at {path}.")

    def _source_chart(self, args: a.PackageArgs) -> tuple[Path, dict[str, object]]:
        path = resolve_chart_dir_entry(args.chart, self.cli.settings)
        try:
            metadata = yaml.safe_load((path / "Chart.yaml").read_text())
        except (OSError, yaml.YAMLError):
            raise Refused(
                f"{args.chart} is not a chart directory in {self.chart_dir} (no readable Chart.yaml)"
            ) from None
        return path, metadata if isinstance(metadata, dict) else {}

    def _package_args(self, args: a.PackageArgs, path: Path) -> list[str]:
        argv = ["package", str(path), f"--destination={self.chart_dir}"]
        argv += [f"--version={args.version}"] if args.version else []
        argv += [f"--app-version={args.app_version}"] if args.app_version else []
        return argv

    async def preview_package(self, args: a.PackageArgs, ctx: RunContext) -> Preview:
        try:
            path, metadata = self._source_chart(args)
        except Refused as e:
            return Preview(text=str(e), ok=False)
        version = args.version or metadata.get("version")
        runs = self.cli.plan(self._package_args(args, path), ctx=ctx)
        return Preview(text=f"Package chart {metadata.get('name')} {version} into {self.chart_dir}.\n{runs}")

    async def package(self, args: a.PackageArgs, ctx: RunContext) -> OperationResult:
        try:
            path, _ = self._source_chart(args)
            outcome = await self.cli.run(self._package_args(args, path), ctx=ctx)
        except (HelmError, Refused) as e:
            return failure(f"helm package {args.chart}", e)
        saved = outcome.stdout.strip().rpartition(": ")[2] or str(self.chart_dir)
        return OperationResult(
            status=Status.OK, text=f"Packaged {args.chart} into {saved}.", data={"path": saved}
        )
