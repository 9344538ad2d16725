"""READ operation `k8s_logs`: a pod's log lines, or several pods' merged, filtered and cut to fit.

`name` alone is one pod; with `kind` (deployment/web) or `selector` (-l app=web) the
lines of every matching pod are merged in time order, each naming its pod
(`tools.kubernetes.logsearch`).

The reply always says what it shows and what was cut (tail, since, the
filter, lines dropped for the budget). Log text passes through redaction like
every other result. Nothing here writes to the cluster.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from tools.base import CommandSpec, NamespacedArgs, Operation, OperationResult, RunContext, Safety, Status
from tools.budget import estimate_tokens, fit_text
from tools.kubernetes.common import Kube, Scope, guard, meta
from tools.kubernetes.errors import KubeError
from tools.kubernetes.kinds import kind_for, normalise_kind
from tools.kubernetes.logsearch import MAX_PODS, find_pods, merged_lines
from tools.redact import redact_text

_SINCE = re.compile(r"^(\d{1,6})([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_LIMIT_BYTES = 4 * 1024 * 1024


LogKind = Literal["pod", "deployment", "statefulset", "daemonset", "replicaset", "job"]


class LogsArgs(NamespacedArgs):
    name: str | None = Field(default=None, max_length=253, description="pod name (or the workload's)")
    kind: LogKind = Field(default="pod", description="pod, or a workload whose pods' lines are merged")
    selector: str | None = Field(
        default=None, max_length=256, description="label selector: merge the lines of every matching pod"
    )
    container: str | None = Field(default=None, max_length=63, description="container; default: the first")
    tail: int = Field(default=200, ge=1, le=5000, description="last N lines")
    since: str | None = Field(default=None, description="only newer than e.g. 10m, 2h")
    previous: bool = Field(default=False, description="the previous, crashed container")
    filter: str | None = Field(default=None, max_length=200, description="keep lines containing this")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> object:
        return normalise_kind(value)

    @model_validator(mode="after")
    def _one_source(self) -> LogsArgs:
        if (self.name is None) == (self.selector is None):
            raise ValueError("give a pod name, KIND/NAME (deployment/web) or -l SELECTOR, one of them")
        if self.selector is not None and self.kind != "pod":
            raise ValueError("-l SELECTOR picks pods; leave out the kind")
        return self

    @field_validator("since")
    @classmethod
    def _since(cls, value: str | None) -> str | None:
        if value is not None and not _SINCE.match(value):
            raise ValueError(f"since {value!r} must look like 30s, 10m, 2h or 1d")
        return value


def since_seconds(value: str | None) -> int | None:
    match = _SINCE.match(value or "")
    return int(match.group(1)) * _UNIT[match.group(2)] if match else None


def log_result(header: str, lines: list[str], budget_tokens: int) -> OperationResult:
    """Log lines as a result: redacted, cut from the middle to fit the budget, and saying so."""
    if not lines:
        return OperationResult(status=Status.NO_DATA, text=header + "\nno log lines")
    text = redact_text("\n".join(lines))
    room = max(budget_tokens - estimate_tokens(header) - 60, 100)
    fitted, cut = fit_text(text, room)
    if cut:
        header += (
            f"\nlong output: {len(lines) - len(fitted.splitlines()) + 1} lines cut from the middle to fit"
        )
    return OperationResult(status=Status.OK, text=header, code=fitted, data={"lines": len(lines)})


def logs_operations(kube: Kube) -> list[Operation]:
    pods = kind_for("pod")

    @guard
    async def logs(args: LogsArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        if args.name is None or args.kind != "pod":
            return await many(args, scope, ctx)
        try:
            pod = await scope.client.get(pods, args.name, scope.namespace)
        except KubeError as error:
            return OperationResult(
                status=Status.ERROR,
                text=await kube.explain(error, scope, scope.action("get", pods, args.name), pods),
            )
        names = [str(c.get("name")) for c in (pod.get("spec") or {}).get("containers") or []]
        default = (meta(pod).get("annotations") or {}).get("kubectl.kubernetes.io/default-container")
        container = args.container or (default if default in names else None) or (names[0] if names else None)
        if args.container and args.container not in names:
            return OperationResult(
                status=Status.ERROR,
                text=f"pod/{args.name} in {scope.header} has no container {args.container!r}; "
                f"choose one of: {', '.join(names)}",
            )
        try:
            raw = await scope.client.pod_log(
                args.name,
                str(scope.namespace),
                container=container,
                tail=args.tail,
                since_seconds=since_seconds(args.since),
                previous=args.previous,
                limit_bytes=_LIMIT_BYTES,
            )
        except KubeError as error:
            action = scope.action("get", pods, args.name)
            return OperationResult(status=Status.ERROR, text=await kube.explain(error, scope, action, pods))
        lines = raw.splitlines()
        shown_what = [f"last {args.tail} lines requested, {len(lines)} returned"]
        if args.since:
            shown_what.append(f"since {args.since}")
        if args.previous:
            shown_what.append("previous container")
        if args.filter:
            needle = args.filter.lower()
            lines = [line for line in lines if needle in line.lower()]
            shown_what.append(f"{len(lines)} contain {args.filter!r}")
        others = f" (of {', '.join(names)})" if len(names) > 1 else ""
        header = f"{scope.header}\npod/{args.name} container {container}{others}: " + ", ".join(shown_what)
        return log_result(header, lines, ctx.budget_tokens)

    async def many(args: LogsArgs, scope: Scope, ctx: RunContext) -> OperationResult:
        found = await find_pods(kube, scope, kind=args.kind, name=args.name, selector=args.selector)
        header = f"{scope.header}\n{found.described}: "
        if not found.pods:
            return OperationResult(status=Status.NO_DATA, text=header + "no pods found")
        lines, failed = await merged_lines(
            scope,
            found,
            container=args.container,
            tail=args.tail,
            since_seconds=since_seconds(args.since),
            previous=args.previous,
        )
        shown_what = [
            f"{len(found.pods)} pods"
            + (f" (the first {MAX_PODS} of {found.total})" if found.total > len(found.pods) else "")
        ]
        shown_what.append(f"last {args.tail} lines of each")
        if args.since:
            shown_what.append(f"since {args.since}")
        if args.previous:
            shown_what.append("previous containers")
        if args.filter:
            needle = args.filter.lower()
            lines = [line for line in lines if needle in line.lower()]
            shown_what.append(f"{len(lines)} lines contain {args.filter!r}")
        header += ", ".join(shown_what)
        if failed:
            header += f"\nnot read: {', '.join(failed)}" + (
                f" (no container {args.container!r} or no logs yet)" if args.container else " (no logs yet)"
            )
        return log_result(header, lines, ctx.budget_tokens)

    return [
        Operation(
            name="k8s_logs",
            description=(
                "Show a pod's log lines (tail, since, previous, filter), or the merged lines of a "
                "workload's pods (kind) or of the pods matching a label selector."
            ),
            safety=Safety.READ,
            args_model=LogsArgs,
            run=logs,
            command=CommandSpec(
                words=("logs",),
                positionals=("name",),
                aliases={
                    "-n": "namespace",
                    "-c": "container",
                    "-p": "previous",
                    "-l": "selector",
                    "--grep": "filter",
                },
            ),
        )
    ]
