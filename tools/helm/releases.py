"""Helm release changes: install, upgrade, rollback, uninstall, with previews and undo plans.

Previews ask the cluster: install and upgrade run a server-side dry run
(`--dry-run=server -o json`) and compare it with the current release (chart
and version before → after, value keys changed, objects created, changed and
deleted); rollback reads `history -o json` to name the revision it returns
to. The preview binds the current revision (and the chart version it saw):
when the release moved on before the run, the run stops instead of acting
blindly. Values never appear unmasked in any text, data or undo plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tools.base import ObjectEffect, OperationResult, Preview, RunContext, Status, UndoPlan
from tools.effects import describe_effects
from tools.helm import args as a
from tools.helm.cli import HelmCli, HelmError, KubeTarget, failure
from tools.helm.effects import release_effects
from tools.helm.reads import release_summary, values_input
from tools.helm.refs import Refused, resolve_chart
from tools.helm.summaries import (
    budget_chars,
    diff_objects,
    diff_values,
    parse_manifest,
    summarise_objects,
    truncate,
)


def _chart_label(release: dict[str, Any]) -> str:
    metadata = (release.get("chart") or {}).get("metadata") or {}
    return f"{metadata.get('name', '?')} {metadata.get('version', '?')}"


def _chart_version(release: dict[str, Any]) -> str:
    return str(((release.get("chart") or {}).get("metadata") or {}).get("version") or "")


def _where(target: KubeTarget) -> str:
    return f"namespace {target.namespace} on {target.cluster.name}"


def _rollback_args(args: a.RollbackArgs) -> list[str]:
    return ["rollback", args.name, *([str(args.revision)] if args.revision else [])]


def _uninstall_args(args: a.UninstallArgs) -> list[str]:
    return ["uninstall", args.name, *(["--keep-history"] if args.keep_history else [])]


class StaleRelease(HelmError):
    pass


def _with_effects(text: str, effects: list[ObjectEffect], binding: dict[str, str]) -> Preview:
    """The release summary, then every object the change touches and every path that changes."""
    return Preview(text=f"{text}\n{describe_effects(effects)}", binding=binding, effects=tuple(effects))


class HelmReleases:
    def __init__(self, cli: HelmCli) -> None:
        self.cli = cli

    @property
    def timeout_s(self) -> float:
        return self.cli.settings.timeout_s

    async def current(self, name: str, target: KubeTarget, ctx: RunContext) -> dict[str, Any] | None:
        """The release as `helm status -o json` shows it, or None when it does not exist."""
        try:
            release = await self.cli.run_json(["status", name], ctx=ctx, target=target)
        except HelmError as e:
            if "not found" in str(e):
                return None
            raise
        return release if isinstance(release, dict) else None

    async def _check_binding(self, name: str, target: KubeTarget, ctx: RunContext) -> dict[str, Any] | None:
        release = await self.current(name, target, ctx)
        expected = ctx.binding.get("revision")
        actual = str(release.get("version")) if release else None
        if expected is not None and actual != expected:
            raise StaleRelease(
                f"release {name} changed since the preview (revision {expected} → {actual or 'none'}); "
                "ask again to see the new preview"
            )
        return release

    def _chart_flags(self, args: a.InstallArgs, binding: Mapping[str, str]) -> tuple[list[str], bytes | None]:
        chart = resolve_chart(args.chart, self.cli.settings)
        version = args.version
        if version is None and not chart.startswith("/"):
            # Run the version the approver saw, not whatever is newest by then.
            version = binding.get("chart_version") or None
        flags, stdin = values_input(args)
        flags = [args.name, chart, *flags, *([f"--version={version}"] if version else [])]
        if isinstance(args, a.UpgradeArgs) and args.reuse_values:
            flags.append("--reuse-values")
        if args.create_namespace:
            flags.append("--create-namespace")
        return flags, stdin

    def _plan_chart_run(
        self, verb: str, args: a.InstallArgs, ctx: RunContext, target: KubeTarget, version: str
    ) -> str:
        """Record the install/upgrade the run will execute, with the chart version the dry run saw."""
        flags, stdin = self._chart_flags(args, {**ctx.binding, "chart_version": version})
        return self.cli.plan([verb, *flags, "--output=json"], ctx=ctx, target=target, stdin=stdin)

    async def _dry_run(self, verb: str, args: a.InstallArgs, ctx: RunContext) -> tuple[KubeTarget, Any]:
        target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
        flags, stdin = self._chart_flags(args, ctx.binding)
        argv = [verb, *flags, "--dry-run=server"]
        return target, await self.cli.run_json(
            argv, ctx=ctx, target=target, stdin=stdin, timeout_s=self.timeout_s
        )

    async def preview_install(self, args: a.InstallArgs, ctx: RunContext) -> Preview:
        try:
            target, planned = await self._dry_run("install", args, ctx)
        except (HelmError, Refused) as e:
            return Preview(text=f"helm install {args.name} cannot go ahead: {e}", ok=False)
        objects = parse_manifest(str(planned.get("manifest") or ""))
        text = (
            f"Install release {args.name} in {_where(target)}: chart {_chart_label(planned)}.\n"
            f"Values: {diff_values({}, planned.get('config'))}\n"
            f"Creates {summarise_objects(objects, limit_chars=1500)}"
        )
        try:
            runs = self._plan_chart_run("install", args, ctx, target, _chart_version(planned))
        except Refused as e:
            return Preview(text=f"helm install {args.name} cannot go ahead: {e}", ok=False)
        effects = release_effects(None, str(planned.get("manifest") or ""), namespace=target.namespace)
        return _with_effects(f"{text}\n{runs}", effects, {"chart_version": _chart_version(planned)})

    async def install(self, args: a.InstallArgs, ctx: RunContext) -> OperationResult:
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            flags, stdin = self._chart_flags(args, ctx.binding)
            dry = ["--dry-run=client"] if ctx.dry_run else []
            release = await self.cli.run_json(
                ["install", *flags, *dry], ctx=ctx, target=target, stdin=stdin, timeout_s=self.timeout_s
            )
        except (HelmError, Refused) as e:
            return failure(f"helm install {args.name}", e)
        text, data = release_summary(release or {}, limit=budget_chars(ctx.budget_tokens))
        verb = "Dry run (client): would install" if ctx.dry_run else "Installed"
        undo = UndoPlan(
            operation="helm_uninstall",
            args={"name": args.name, "namespace": target.namespace, "cluster": args.cluster},
            summary=f"uninstall release {args.name} from {target.namespace}",
        )
        return OperationResult(
            status=Status.OK, text=f"{verb} {text}", data=data, undo=None if ctx.dry_run else undo
        )

    async def preview_upgrade(self, args: a.UpgradeArgs, ctx: RunContext) -> Preview:
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            before = await self.current(args.name, target, ctx)
            if before is None:
                return Preview(text=f"release {args.name} was not found in {_where(target)}", ok=False)
            _, after = await self._dry_run("upgrade", args, ctx)
            runs = self._plan_chart_run("upgrade", args, ctx, target, _chart_version(after))
        except (HelmError, Refused) as e:
            return Preview(text=f"helm upgrade {args.name} cannot go ahead: {e}", ok=False)
        changes = diff_objects(
            parse_manifest(str(before.get("manifest") or "")),
            parse_manifest(str(after.get("manifest") or "")),
        )
        text = (
            f"Upgrade release {args.name} in {_where(target)}: "
            f"chart {_chart_label(before)} → {_chart_label(after)}, "
            f"revision {before.get('version')} → {after.get('version')}.\n"
            f"Values: {diff_values(before.get('config'), after.get('config'))}\n"
            f"Objects: {truncate(changes.describe(), 1500)}\n{runs}"
        )
        binding = {"revision": str(before.get("version")), "chart_version": _chart_version(after)}
        effects = release_effects(
            str(before.get("manifest") or ""), str(after.get("manifest") or ""), namespace=target.namespace
        )
        return _with_effects(text, effects, binding)

    async def upgrade(self, args: a.UpgradeArgs, ctx: RunContext) -> OperationResult:
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            before = await self._check_binding(args.name, target, ctx)
            if before is None:
                raise HelmError(f"release {args.name} was not found in {_where(target)}")
            flags, stdin = self._chart_flags(args, ctx.binding)
            dry = ["--dry-run=client"] if ctx.dry_run else []
            release = await self.cli.run_json(
                ["upgrade", *flags, *dry], ctx=ctx, target=target, stdin=stdin, timeout_s=self.timeout_s
            )
        except (HelmError, Refused) as e:
            return failure(f"helm upgrade {args.name}", e)
        text, data = release_summary(release or {}, limit=budget_chars(ctx.budget_tokens))
        previous = int(before.get("version") or 0)
        undo = UndoPlan(
            operation="helm_rollback",
            args={
                "name": args.name,
                "namespace": target.namespace,
                "cluster": args.cluster,
                "revision": previous,
            },
            summary=f"roll {args.name} back to revision {previous}",
        )
        prior = {"revision": previous, "chart": _chart_label(before)}
        verb = "Dry run (client): would upgrade" if ctx.dry_run else "Upgraded"
        return OperationResult(
            status=Status.OK,
            text=f"{verb} {text}",
            data=data,
            undo=None if ctx.dry_run else undo,
            prior_state=prior,
        )

    async def _history(self, name: str, target: KubeTarget, ctx: RunContext) -> list[dict[str, Any]]:
        revisions = await self.cli.run_json(["history", name, "--max=100"], ctx=ctx, target=target) or []
        return sorted(revisions, key=lambda r: int(r.get("revision") or 0))

    async def preview_rollback(self, args: a.RollbackArgs, ctx: RunContext) -> Preview:
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            history = await self._history(args.name, target, ctx)
        except HelmError as e:
            return Preview(text=f"helm rollback {args.name} cannot go ahead: {e}", ok=False)
        if not history:
            return Preview(text=f"release {args.name} has no history in {_where(target)}", ok=False)
        current = history[-1]
        wanted = args.revision or int(current["revision"]) - 1
        goal = next((r for r in history if int(r.get("revision") or 0) == wanted), None)
        if goal is None or wanted == int(current["revision"]):
            known = ", ".join(str(r.get("revision")) for r in history[:-1]) or "none"
            return Preview(
                text=f"release {args.name} has no earlier revision {wanted} to roll back to (known: {known})",
                ok=False,
            )
        text = (
            f"Roll back release {args.name} in {_where(target)} from revision {current['revision']} "
            f"({current.get('chart')}, {current.get('status')}) to revision {wanted} "
            f"({goal.get('chart')}, {goal.get('status')}, {goal.get('updated')})."
        )
        try:
            now = await self.cli.run(["get", "manifest", args.name], ctx=ctx, target=target)
            then = await self.cli.run(
                ["get", "manifest", args.name, f"--revision={wanted}"], ctx=ctx, target=target
            )
        except HelmError as e:
            return Preview(text=f"helm rollback {args.name} cannot go ahead: {e}", ok=False)
        effects = release_effects(now.stdout, then.stdout, namespace=target.namespace)
        runs = self.cli.plan(_rollback_args(args), ctx=ctx, target=target)
        return _with_effects(f"{text}\n{runs}", effects, {"revision": str(current["revision"])})

    async def rollback(self, args: a.RollbackArgs, ctx: RunContext) -> OperationResult:
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            before = await self._check_binding(args.name, target, ctx)
            if before is None:
                raise HelmError(f"release {args.name} was not found in {_where(target)}")
            argv = [*_rollback_args(args), *(["--dry-run"] if ctx.dry_run else [])]
            await self.cli.run(argv, ctx=ctx, target=target, timeout_s=self.timeout_s)
        except HelmError as e:
            return failure(f"helm rollback {args.name}", e)
        previous = int(before.get("version") or 0)
        goal = f"revision {args.revision}" if args.revision else "the previous revision"
        undo = UndoPlan(
            operation="helm_rollback",
            args={
                "name": args.name,
                "namespace": target.namespace,
                "cluster": args.cluster,
                "revision": previous,
            },
            summary=f"roll {args.name} back to revision {previous}",
        )
        return OperationResult(
            status=Status.OK,
            text=f"Rolled back {args.name} in {target.namespace} from revision {previous} to {goal}.",
            undo=None if ctx.dry_run else undo,
            prior_state={"revision": previous, "chart": _chart_label(before)},
        )

    async def preview_uninstall(self, args: a.UninstallArgs, ctx: RunContext) -> Preview:
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            release = await self.current(args.name, target, ctx)
        except HelmError as e:
            return Preview(text=f"helm uninstall {args.name} cannot go ahead: {e}", ok=False)
        if release is None:
            return Preview(text=f"release {args.name} was not found in {_where(target)}", ok=False)
        objects = parse_manifest(str(release.get("manifest") or ""))
        history = " (history kept)" if args.keep_history else ""
        text = (
            f"Uninstall release {args.name} (revision {release.get('version')}, "
            f"chart {_chart_label(release)}) "
            f"from {_where(target)}{history}. Deletes {summarise_objects(objects, limit_chars=1500)}\n"
            f"{self.cli.plan(_uninstall_args(args), ctx=ctx, target=target)}"
        )
        effects = release_effects(str(release.get("manifest") or ""), None, namespace=target.namespace)
        return _with_effects(text, effects, {"revision": str(release.get("version"))})

    async def uninstall(self, args: a.UninstallArgs, ctx: RunContext) -> OperationResult:
        try:
            target = self.cli.target(cluster=args.cluster, namespace=args.namespace)
            before = await self._check_binding(args.name, target, ctx)
            if before is None:
                raise HelmError(f"release {args.name} was not found in {_where(target)}")
            argv = [*_uninstall_args(args), *(["--dry-run"] if ctx.dry_run else [])]
            await self.cli.run(argv, ctx=ctx, target=target, timeout_s=self.timeout_s)
        except HelmError as e:
            return failure(f"helm uninstall {args.name}", e)
        prior = {"revision": before.get("version"), "chart": _chart_label(before)}
        verb = "Dry run: would uninstall" if ctx.dry_run else "Uninstalled"
        return OperationResult(
            status=Status.OK, text=f"{verb} {args.name} from {target.namespace}.", prior_state=prior
        )
