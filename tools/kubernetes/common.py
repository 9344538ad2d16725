"""Plumbing every Kubernetes operation shares.

Resolves (cluster, namespace, identity) into a `Scope`, turns a `KubeError`
into one readable sentence (with close names for a 404), and passes every
result through redaction and the output budget before it leaves the package.
It must not decide policy or talk to chat.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

from tools.base import Args, ClusterArgs, KubeIdentity, OperationResult, Preview, RunContext, Status, Table
from tools.budget import estimate_tokens, fit_text
from tools.kubernetes.client import KubeClient, KubeClients
from tools.kubernetes.errors import Action, KubeError, NotFound, close_names, explain
from tools.kubernetes.kinds import ResourceKind
from tools.redact import redact_object, redact_text

A = TypeVar("A", bound=Args)
T = TypeVar("T")


class Explained(KubeError):
    """A failure already turned into its final sentence."""


@dataclasses.dataclass(frozen=True)
class Scope:
    client: KubeClient
    cluster: str
    namespace: str | None
    identity: KubeIdentity | None

    @property
    def header(self) -> str:
        return f"{self.cluster} / {self.namespace or 'all namespaces'}"

    def action(self, verb: str, kind: ResourceKind, name: str | None = None) -> Action:
        return Action(
            verb=verb,
            resource=kind.plural,
            cluster=self.cluster,
            namespace=self.namespace if kind.namespaced else None,
            name=name,
            identity=self.identity,
        )


class Kube:
    """What the operations close over: the clients and the request timeout."""

    def __init__(self, clients: KubeClients) -> None:
        self.clients = clients

    async def scope(self, args: ClusterArgs, ctx: RunContext, *, all_namespaces: bool = False) -> Scope:
        cluster = self.clients.cluster(args.cluster)
        client = await self.clients.client(cluster, ctx.identity)
        namespace = getattr(args, "namespace", None) or cluster.default_namespace
        return Scope(
            client=client,
            cluster=cluster.name,
            namespace=None if all_namespaces else namespace,
            identity=ctx.identity,
        )

    async def explain(self, error: KubeError, scope: Scope, action: Action, kind: ResourceKind) -> str:
        suggestions: list[str] = []
        if isinstance(error, NotFound) and action.name:
            try:
                page = await scope.client.list_page(kind, scope.namespace, limit=500)
                names = [str(i.get("metadata", {}).get("name")) for i in page.get("items") or []]
                suggestions = close_names(action.name, names)
            except KubeError:
                suggestions = []
        return explain(error, action, suggestions=suggestions)

    async def attempt(self, scope: Scope, action: Action, kind: ResourceKind, call: Awaitable[T]) -> T:
        """Await `call`; a failure becomes an `Explained` sentence about `action`."""
        try:
            return await call
        except Explained:
            raise
        except KubeError as error:
            raise Explained(await self.explain(error, scope, action, kind)) from None


def error_result(sentence: str) -> OperationResult:
    clean = redact_text(sentence)
    return OperationResult(status=Status.ERROR, text=clean, error=clean)


def guard(
    fn: Callable[[A, RunContext], Awaitable[OperationResult]],
) -> Callable[[A, RunContext], Awaitable[OperationResult]]:
    """Results never raise: a KubeError left unexplained still becomes one sentence."""

    async def run(args: A, ctx: RunContext) -> OperationResult:
        try:
            result = await fn(args, ctx)
        except KubeError as error:
            return error_result(str(error))
        return finish(result, ctx.budget_tokens)

    return run


def guard_preview(
    fn: Callable[[A, RunContext], Awaitable[Preview]],
) -> Callable[[A, RunContext], Awaitable[Preview]]:
    async def preview(args: A, ctx: RunContext) -> Preview:
        try:
            result = await fn(args, ctx)
        except KubeError as error:
            return Preview(ok=False, text=redact_text(str(error)))
        return dataclasses.replace(result, text=redact_text(result.text))

    return preview


def _redact_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if value is None:
        return None
    cleaned = redact_object(dict(value))
    return cleaned if isinstance(cleaned, Mapping) else {"value": cleaned}


def _table_text(table: Table) -> str:
    return "\n".join(" ".join(row) for row in (table.columns, *table.rows))


def finish(result: OperationResult, budget_tokens: int) -> OperationResult:
    """Redact everything, then make text + table + code fit the budget."""
    text = redact_text(result.text)
    code = redact_text(result.code) if result.code is not None else None
    table = result.table
    if table is not None:
        table = Table(
            columns=table.columns,
            rows=tuple(tuple(redact_text(cell) for cell in row) for row in table.rows),
        )
    budget = max(budget_tokens, 200)
    used = estimate_tokens(text)
    if table is not None:
        allowance = max(budget - used - (estimate_tokens(code) if code else 0), budget // 3)
        rows = list(table.rows)
        while rows and estimate_tokens(_table_text(Table(table.columns, tuple(rows)))) > allowance:
            rows = rows[: max(len(rows) * 3 // 4, len(rows) - 50)] if len(rows) > 4 else rows[:-1]
        if len(rows) < len(table.rows):
            text += f"\n(table cut: {len(table.rows) - len(rows)} of {len(table.rows)} rows not shown)"
        table = Table(columns=table.columns, rows=tuple(rows))
        used = estimate_tokens(text) + estimate_tokens(_table_text(table))
    if code is not None:
        code, _ = fit_text(code, max(budget - used, 60))
        used += estimate_tokens(code)
    if used > budget:
        text, _ = fit_text(text, max(budget - (used - estimate_tokens(text)), 60))
    return dataclasses.replace(
        result,
        text=text,
        code=code,
        table=table,
        error=redact_text(result.error) if result.error else None,
        data=_redact_mapping(result.data),
        prior_state=_redact_mapping(result.prior_state),
        undo=None
        if result.undo is None
        else dataclasses.replace(result.undo, args=_redact_mapping(result.undo.args) or {}),
    )


def meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    value = obj.get("metadata")
    return value if isinstance(value, Mapping) else {}


def binding_of(obj: Mapping[str, Any]) -> dict[str, str]:
    m = meta(obj)
    return {"resourceVersion": str(m.get("resourceVersion") or ""), "uid": str(m.get("uid") or "")}
