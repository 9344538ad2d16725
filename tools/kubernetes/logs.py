"""READ operation `k8s_logs`: one container's log lines, filtered and cut to fit.

The reply always says what it shows and what was cut (tail, since, the
filter, lines dropped for the budget). Log text passes through redaction like
every other result. Nothing here writes to the cluster.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from tools.base import CommandSpec, NamespacedArgs, Operation, OperationResult, RunContext, Safety, Status
from tools.budget import estimate_tokens, fit_text
from tools.kubernetes.common import Kube, guard, meta
from tools.kubernetes.errors import KubeError
from tools.kubernetes.kinds import kind_for
from tools.redact import redact_text

_SINCE = re.compile(r"^(\d{1,6})([smhd])$")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_LIMIT_BYTES = 4 * 1024 * 1024


class LogsArgs(NamespacedArgs):
    name: str = Field(max_length=253, description="pod name")
    container: str | None = Field(default=None, max_length=63, description="container; default: the first")
    tail: int = Field(default=200, ge=1, le=5000, description="last N lines")
    since: str | None = Field(default=None, description="only newer than e.g. 10m, 2h")
    previous: bool = Field(default=False, description="the previous, crashed container")
    filter: str | None = Field(default=None, max_length=200, description="keep lines containing this")

    @field_validator("since")
    @classmethod
    def _since(cls, value: str | None) -> str | None:
        if value is not None and not _SINCE.match(value):
            raise ValueError(f"since {value!r} must look like 30s, 10m, 2h or 1d")
        return value


def since_seconds(value: str | None) -> int | None:
    match = _SINCE.match(value or "")
    return int(match.group(1)) * _UNIT[match.group(2)] if match else None


def logs_operations(kube: Kube) -> list[Operation]:
    pods = kind_for("pod")

    @guard
    async def logs(args: LogsArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
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
        if not lines:
            return OperationResult(status=Status.NO_DATA, text=header + "\nno log lines")
        text = redact_text("\n".join(lines))
        room = max(ctx.budget_tokens - estimate_tokens(header) - 60, 100)
        fitted, cut = fit_text(text, room)
        if cut:
            header += (
                f"\nlong output: {len(lines) - len(fitted.splitlines()) + 1} lines cut from the middle to fit"
            )
        return OperationResult(status=Status.OK, text=header, code=fitted, data={"lines": len(lines)})

    return [
        Operation(
            name="k8s_logs",
            description="Show a pod's log lines (tail, since, previous, filter).",
            safety=Safety.READ,
            args_model=LogsArgs,
            run=logs,
            command=CommandSpec(
                words=("logs",),
                positionals=("name",),
                aliases={"-n": "namespace", "-c": "container", "-p": "previous"},
            ),
        )
    ]
