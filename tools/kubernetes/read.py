"""READ operations: `k8s_get`, `k8s_describe` and `k8s_clusters`.

One coarse operation per verb with an allow-listed `kind`, so the LLM's tool
list stays short. Secrets are shown as names, types, key names and sizes; no
value is ever put in a reply. Nothing here changes the cluster.
"""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any, Literal

import yaml
from pydantic import Field, field_validator

from tools.base import (
    Args,
    CommandSpec,
    NamespacedArgs,
    Operation,
    OperationResult,
    RunContext,
    Safety,
    Status,
    Table,
    check_dns1123_subdomain,
)
from tools.budget import estimate_tokens
from tools.kubernetes.common import Kube, Scope, guard, meta
from tools.kubernetes.errors import KubeError
from tools.kubernetes.health import NODE_METRICS, POD_METRICS
from tools.kubernetes.kinds import KindName, ResourceKind, kind_for, normalise_kind
from tools.kubernetes.listing import MAX_DOCUMENTS, Output, columns_for, structured, usage_by_name, with_usage
from tools.kubernetes.probe import probe
from tools.kubernetes.render import COLUMNS, event_time, secret_keys
from tools.kubernetes.summarise import SortBy, collect, to_result
from tools.readable import ReadableNamespaces
from tools.redact import redact_object

_NS = {"-n": "namespace"}


class KindArgs(NamespacedArgs):
    kind: KindName = Field(description="resource kind")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> object:
        return normalise_kind(value)


class GetArgs(KindArgs):
    name: str | None = Field(default=None, max_length=253, description="one object; default: list")
    all_namespaces: bool = Field(default=False, description="list across namespaces")
    selector: str | None = Field(default=None, max_length=256, description="label selector")
    field_selector: str | None = Field(default=None, max_length=256, description="field selector")
    sort: SortBy = Field(default="name", description="sort order")
    output: Output | None = Field(default=None, description="wide, yaml, json or name (like kubectl -o)")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else check_dns1123_subdomain(value)


class DescribeArgs(KindArgs):
    name: str = Field(max_length=253, description="object name")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_subdomain(value)


def safe_view(kind: ResourceKind, obj: dict[str, Any]) -> dict[str, Any]:
    """The object without noise; a Secret reduced to type and key sizes."""
    m = dict(meta(obj))
    m.pop("managedFields", None)
    annotations = dict(m.get("annotations") or {})
    annotations.pop("kubectl.kubernetes.io/last-applied-configuration", None)
    if annotations:
        m["annotations"] = annotations
    else:
        m.pop("annotations", None)
    if kind.name == "secret":
        keep = {k: m[k] for k in ("name", "namespace", "labels", "creationTimestamp", "uid") if k in m}
        return {"kind": "Secret", "metadata": keep, "type": obj.get("type"), "keys": secret_keys(obj)}
    view = {"metadata": m, **{k: v for k, v in obj.items() if k not in ("metadata", "apiVersion", "kind")}}
    cleaned = redact_object(view)
    return cleaned if isinstance(cleaned, dict) else view


async def events_for(scope: Scope, *, kind: str, name: str, limit: int = 15) -> list[dict[str, Any]]:
    """The latest events about one object, newest first."""
    page = await scope.client.list_page(
        kind_for("event"), scope.namespace, field_selector=f"involvedObject.name={name}", limit=500
    )
    items = [
        e
        for e in page.get("items") or []
        if (e.get("involvedObject") or {}).get("kind") == kind
        and (e.get("involvedObject") or {}).get("name") == name
    ]
    items.sort(key=lambda e: str(event_time(e) or ""), reverse=True)
    return items[:limit]


def event_lines(events: list[dict[str, Any]]) -> list[str]:
    _, row = COLUMNS["event"]
    return [f"{r[0]} ago {r[1]} {r[2]}: {r[4]}" for r in map(row, events)]


def read_operations(kube: Kube) -> list[Operation]:
    @guard
    async def get(args: GetArgs, ctx: RunContext) -> OperationResult:
        kind = kind_for(args.kind)
        scope = await kube.scope(args, ctx, all_namespaces=args.all_namespaces and kind.namespaced)
        header = scope.header if kind.namespaced else f"{scope.cluster} / cluster-wide"
        if args.output in ("yaml", "json"):
            return await _structured(args, scope, kind, header, ctx.budget_tokens, ctx.readable)
        columns, row = columns_for(kind, args.output)
        if args.name:
            try:
                obj = await scope.client.get(kind, args.name, scope.namespace)
            except KubeError as error:
                return OperationResult(
                    status=Status.ERROR,
                    text=await kube.explain(error, scope, scope.action("get", kind, args.name), kind),
                )
            result = OperationResult(status=Status.OK, text=header, table=Table(columns, (row(obj),)))
        else:
            try:
                found = await collect(
                    scope.client,
                    kind,
                    scope.namespace if kind.namespaced else None,
                    label_selector=args.selector,
                    field_selector=args.field_selector,
                    sort=args.sort,
                    layout=(columns, row),
                    readable=ctx.readable,
                )
            except KubeError as error:
                return OperationResult(
                    status=Status.ERROR,
                    text=await kube.explain(error, scope, scope.action("list", kind), kind),
                )
            result = to_result(found, header=header, budget_tokens=ctx.budget_tokens)
        if result.table is None or kind.name not in ("pod", "node") or args.output == "name":
            return result
        metrics = POD_METRICS if kind.name == "pod" else NODE_METRICS
        namespace = scope.namespace if kind.namespaced else None
        usage = await usage_by_name(scope.client, metrics, namespace)
        if not usage:
            return result
        return dataclasses.replace(result, table=with_usage(result.table, usage, namespace=namespace))

    async def _structured(
        args: GetArgs,
        scope: Scope,
        kind: ResourceKind,
        header: str,
        budget_tokens: int,
        readable: ReadableNamespaces | None,
    ) -> OperationResult:
        output: Literal["yaml", "json"] = "json" if args.output == "json" else "yaml"
        try:
            if args.name:
                items = [await scope.client.get(kind, args.name, scope.namespace)]
                more = False
            else:
                page = await scope.client.list_page(
                    kind,
                    scope.namespace if kind.namespaced else None,
                    label_selector=args.selector,
                    field_selector=args.field_selector,
                    limit=MAX_DOCUMENTS,
                )
                items = [
                    o
                    for o in page.get("items") or []
                    if readable is None
                    or not kind.namespaced
                    or scope.namespace is not None
                    or readable(str((o.get("metadata") or {}).get("namespace") or ""))
                ]
                more = bool((page.get("metadata") or {}).get("continue"))
        except KubeError as error:
            action = scope.action("get", kind, args.name) if args.name else scope.action("list", kind)
            return OperationResult(status=Status.ERROR, text=await kube.explain(error, scope, action, kind))
        if not items:
            return OperationResult(status=Status.NO_DATA, text=f"{header}\nno {kind.plural} found")
        views = [{"apiVersion": kind.api_version, "kind": kind.kind, **safe_view(kind, o)} for o in items]
        text = header if args.name else f"{header}\n{len(items)} {kind.plural} as {output}"
        code = structured(views, output, single=bool(args.name))
        room = budget_tokens - estimate_tokens(text) - 80
        while len(views) > 1 and estimate_tokens(code) > room:  # whole objects, never half a document
            views = views[: max(1, len(views) * 3 // 4)]
            code = structured(views, output, single=False)
        if len(views) < len(items) or more:
            text += (
                f" (showing the first {len(views)}; narrow with -l, --field-selector or a name for the rest)"
            )
        return OperationResult(status=Status.OK, text=text, code=code)

    @guard
    async def describe(args: DescribeArgs, ctx: RunContext) -> OperationResult:
        kind = kind_for(args.kind)
        scope = await kube.scope(args, ctx)
        try:
            obj = await scope.client.get(kind, args.name, scope.namespace)
        except KubeError as error:
            return OperationResult(
                status=Status.ERROR,
                text=await kube.explain(error, scope, scope.action("get", kind, args.name), kind),
            )
        header = scope.header if kind.namespaced else f"{scope.cluster} / cluster-wide"
        lines = [header, f"{kind.name}/{args.name}"]
        if kind.name != "event":
            try:
                events = await events_for(scope, kind=kind.kind, name=args.name)
            except KubeError:
                events = []
            lines += ["Events:", *event_lines(events)] if events else ["Events: none"]
        code = yaml.safe_dump(safe_view(kind, obj), sort_keys=False, width=200)
        return OperationResult(status=Status.OK, text="\n".join(lines), code=code)

    @guard
    async def clusters(args: Args, ctx: RunContext) -> OperationResult:
        configured = list(kube.clients.clusters)
        if not configured:
            return OperationResult(status=Status.NO_DATA, text="no cluster is configured")
        probes = await asyncio.gather(*(probe(c, timeout_s=5.0) for c in configured))
        rows = tuple(
            (
                c.name,
                c.context or "(current)",
                c.default_namespace,
                "yes" if p.reachable else "NO",
                p.version or "-",
                {True: "ok", False: "REJECTED", None: "-"}[p.credentials_ok],
            )
            for c, p in zip(configured, probes, strict=True)
        )
        problems = [p.text for p in probes if not p.reachable or p.credentials_ok is False]
        text = f"{len(rows)} cluster(s); the first is the default"
        if problems:
            text += "\n" + "\n".join(f"- {line}" for line in problems)
        return OperationResult(
            status=Status.OK,
            text=text,
            table=Table(
                ("CLUSTER", "CONTEXT", "DEFAULT NAMESPACE", "REACHABLE", "VERSION", "CREDENTIALS"), rows
            ),
        )

    return [
        Operation(
            name="k8s_get",
            description="List or get Kubernetes objects of one kind (secrets show key names only).",
            safety=Safety.READ,
            args_model=GetArgs,
            run=get,
            command=CommandSpec(
                words=("get",),
                positionals=("kind", "name"),
                aliases={**_NS, "-A": "all_namespaces", "-l": "selector", "-o": "output"},
            ),
        ),
        Operation(
            name="k8s_describe",
            description="Describe one Kubernetes object with its recent events.",
            safety=Safety.READ,
            args_model=DescribeArgs,
            run=describe,
            command=CommandSpec(words=("describe",), positionals=("kind", "name"), aliases=_NS),
        ),
        Operation(
            name="k8s_clusters",
            description="List the clusters the bot can use.",
            safety=Safety.READ,
            args_model=Args,
            run=clusters,
            command=CommandSpec(words=("clusters",)),
        ),
    ]
