"""How the Helm tools call the helm CLI: argv, environment, cluster flags, JSON.

Every call goes through `tools.runner.run_command` as an argument list. A call
that talks to a cluster gets `--kube-context` and `KUBECONFIG` from the
selected `ClusterConfig` and, when the request carries an identity,
`--kube-as-user`/`--kube-as-group`. Plugins are switched off (HELM_PLUGINS
points at an empty directory), so no post-renderer, downloader or CLI plugin
can run. This module never decides what is allowed; `refs` does.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tools.base import KubeIdentity, OperationResult, RunContext
from tools.helm.settings import CONFIG_KEY, HelmSettings
from tools.kubernetes.clusters import ClusterConfig, ClusterSet, UnknownCluster
from tools.ledger import command_allowed, record_command
from tools.redact import redact_text
from tools.runner import CommandOutcome, LineFn, RunnerError, display_argv, display_command, run_command

# helm commands that only read; every other command changes something and runs only as approved.
_READS = frozenset(
    {"status", "history", "get", "list", "search", "show", "template", "lint", "version", "env"}
)


class HelmError(Exception):
    """A helm call that could not be made or did not succeed; `str()` is one plain sentence."""


@dataclasses.dataclass(frozen=True)
class KubeTarget:
    """The cluster and namespace one helm call acts on."""

    cluster: ClusterConfig
    namespace: str


def kube_flags(cluster: ClusterConfig, identity: KubeIdentity | None) -> list[str]:
    flags = [f"--kube-context={cluster.context}"] if cluster.context else []
    if identity is not None:
        flags.append(f"--kube-as-user={identity.user}")
        flags += [f"--kube-as-group={group}" for group in identity.groups]
    return flags


class HelmCli:
    def __init__(self, *, settings: HelmSettings, clusters: ClusterSet) -> None:
        self.settings = settings
        self.clusters = clusters

    def target(self, *, cluster: str | None, namespace: str | None) -> KubeTarget:
        try:
            config = self.clusters.get(cluster)
        except UnknownCluster as e:
            raise HelmError(str(e)) from None
        return KubeTarget(cluster=config, namespace=namespace or config.default_namespace)

    def environment(self, cluster: ClusterConfig | None) -> dict[str, str]:
        env: dict[str, str] = {}
        home = self.settings.home
        if home is not None:
            env |= {
                "HELM_CONFIG_HOME": str(home / "config"),
                "HELM_CACHE_HOME": str(home / "cache"),
                "HELM_DATA_HOME": str(home / "data"),
            }
        env["HELM_PLUGINS"] = str(self._empty_plugins_dir())
        if cluster is not None:
            env["KUBECONFIG"] = str(cluster.kubeconfig_path())
        return env

    def _empty_plugins_dir(self) -> Path:
        base = self.settings.home or Path(self.settings.chart_dir).expanduser().resolve().parent
        return base / ".chatops-no-helm-plugins"

    def _cwd(self) -> Path | None:
        # Helm looks for a local directory before a repository chart: run where that is harmless.
        chart_dir = Path(self.settings.chart_dir).expanduser().resolve()
        return chart_dir if chart_dir.is_dir() else None

    def argv(self, args: Sequence[str], *, ctx: RunContext, target: KubeTarget | None) -> list[str]:
        argv = [self.settings.binary, *args]
        if target is not None:
            argv += [f"--namespace={target.namespace}", *kube_flags(target.cluster, ctx.identity)]
        return argv

    def plan(
        self,
        args: Sequence[str],
        *,
        ctx: RunContext,
        target: KubeTarget | None = None,
        stdin: bytes | None = None,
    ) -> str:
        """Record the exact command a change's run will execute; return the card's line showing it."""
        argv = self.argv(args, ctx=ctx, target=target)
        record_command(argv, stdin)
        fed = " (values file on stdin, shown above as the values change)" if stdin is not None else ""
        return f"Runs: `{display_command(argv)}`{fed}"

    async def run(
        self,
        args: Sequence[str],
        *,
        ctx: RunContext,
        target: KubeTarget | None = None,
        stdin: bytes | None = None,
        timeout_s: float | None = None,
        on_line: LineFn | None = None,
        check: bool = True,
    ) -> CommandOutcome:
        """Run `helm ARGS` (plus cluster flags when `target` is given); raises HelmError."""
        argv = self.argv(args, ctx=ctx, target=target)
        mutating = bool(args) and args[0] not in _READS and list(args[:2]) != ["repo", "list"]
        if mutating and not command_allowed(argv, stdin):
            raise HelmError(
                f"`{display_command(argv)}` is not the command the approved card showed; it was not run, "
                "and nothing more is; ask again to see the new preview"
            )
        try:
            return await run_command(
                argv,
                timeout_s=timeout_s or self.settings.read_timeout_s,
                config_key=CONFIG_KEY,
                env=self.environment(target.cluster if target else None),
                cwd=self._cwd(),
                stdin=stdin,
                on_line=on_line,
                check=check,
            )
        except RunnerError as e:
            raise HelmError(e.sentence()) from e

    async def run_json(
        self,
        args: Sequence[str],
        *,
        ctx: RunContext,
        target: KubeTarget | None = None,
        stdin: bytes | None = None,
        timeout_s: float | None = None,
    ) -> Any:
        outcome = await self.run(
            [*args, "--output=json"], ctx=ctx, target=target, stdin=stdin, timeout_s=timeout_s
        )
        try:
            return json.loads(outcome.stdout or "null")
        except json.JSONDecodeError:
            raise HelmError(
                f"`{display_argv(outcome.argv)}` printed output that is not JSON; "
                f"is {self.settings.binary} helm 3 or 4?"
            ) from None


def failure(call: str, error: Exception) -> OperationResult:
    """An error result naming the call, with the helm error already redacted."""
    return OperationResult.failure(call=call, message=redact_text(str(error)))
