"""Deleting single objects (pods, services, namespaces) and creating namespaces.

Every delete is DESTRUCTIVE: its preview dry-runs the delete and says what
goes with it; its run sends the approved uid and resourceVersion as delete
preconditions and returns the whole deleted object (redacted by `finish`) as
prior state, with an undo that re-applies it where that makes sense. No
policy here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import Field, field_validator

from tools.base import (
    Args,
    ClusterArgs,
    CommandSpec,
    NamespacedArgs,
    Operation,
    OperationResult,
    Preview,
    RunContext,
    Safety,
    Status,
    UndoPlan,
    check_dns1123_label,
    check_dns1123_subdomain,
)
from tools.kubernetes.authorize import sar_hook
from tools.kubernetes.common import Kube, Scope, binding_of, guard, guard_preview, meta
from tools.kubernetes.effects import effect_of, effect_preview
from tools.kubernetes.kinds import ResourceKind, kind_for
from tools.kubernetes.writes import (
    NO_RECREATE,
    check_binding,
    delete_checked,
    read_target,
    recreate_undo,
    ref,
)

NAMESPACE = kind_for("namespace")
Consequence = Callable[[Scope, dict[str, Any]], Awaitable[str]]


class ObjectArgs(NamespacedArgs):
    name: str = Field(max_length=253, description="object name")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_subdomain(value)


class NamespaceArgs(ClusterArgs):
    name: str = Field(max_length=63, description="namespace name")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_label(value, what="namespace")


async def _pod_consequence(scope: Scope, pod: dict[str, Any]) -> str:
    owners = meta(pod).get("ownerReferences") or []
    owner = next((o for o in owners if o.get("controller")), None)
    if owner:
        return f"; its {str(owner.get('kind')).lower()} {owner.get('name')} will start a replacement"
    return "; it has no controller, so nothing will replace it"


async def _namespace_consequence(scope: Scope, ns: dict[str, Any]) -> str:
    name = str(meta(ns).get("name"))
    counts = []
    for kind_name in ("deployment", "statefulset", "pod", "service", "persistentvolumeclaim", "secret"):
        page = await scope.client.list_page(kind_for(kind_name), name, limit=500)
        n = len(page.get("items") or [])
        if n:
            counts.append(f"{n}{'+' if (page.get('metadata') or {}).get('continue') else ''} {kind_name}(s)")
    return "; everything in it goes too: " + (", ".join(counts) if counts else "it looks empty")


async def no_consequence(scope: Scope, obj: dict[str, Any]) -> str:
    return ""


def _undo(kind: ResourceKind, args: Any, obj: dict[str, Any]) -> tuple[UndoPlan | None, str]:
    """The undo of a delete and, when there is none, why (to say in the result)."""
    if kind.name == "namespace":
        return None, ""  # its contents are gone; re-creating an empty namespace is not an undo
    if kind.name == "pod" and any(o.get("controller") for o in meta(obj).get("ownerReferences") or []):
        return None, ""  # the controller already replaces it
    undo = recreate_undo(
        kind_name=kind.name,
        name=args.name,
        cluster=args.cluster,
        namespace=getattr(args, "namespace", None),
        obj=obj,
    )
    return undo, "" if undo else f"; {NO_RECREATE}"


def delete_operation(
    kube: Kube, kind: ResourceKind, *, args_model: type[Args], consequence: Consequence, description: str
) -> Operation:
    @guard_preview
    async def preview(args: Any, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, kind, args.name, "delete")
        bound = RunContext(request_id=ctx.request_id, identity=ctx.identity, binding=binding_of(current))
        await delete_checked(kube, scope, bound, kind, args.name, dry_run=True)
        then = await consequence(scope, current)
        return effect_preview(
            f"{ref(kind, args.name, scope)} will be deleted{then}",
            [effect_of(kind, args.name, scope.namespace, old=current, new=None)],
            binding=binding_of(current),
        )

    @guard
    async def run(args: Any, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, kind, args.name, "delete")
        check_binding(ctx, current, scope.action("delete", kind, args.name))
        await delete_checked(kube, scope, ctx, kind, args.name)
        header = scope.header if kind.namespaced else f"{scope.cluster} / cluster-wide"
        undo, why_not = _undo(kind, args, current)
        return OperationResult(
            status=Status.OK,
            text=f"{header}\n{kind.name}/{args.name} deleted{why_not}",
            prior_state=current,
            undo=undo,
        )

    aliases = {"-n": "namespace"} if kind.namespaced else {}
    return Operation(
        name=f"k8s_delete_{kind.name}",
        description=description,
        safety=Safety.DESTRUCTIVE,
        args_model=args_model,
        run=run,
        preview=preview,
        kind=kind.name,
        command=CommandSpec(words=("delete", kind.name), positionals=("name",), aliases=aliases),
        authorize=sar_hook(kube, verb="delete", kind=kind),
    )


def object_operations(kube: Kube) -> list[Operation]:
    @guard_preview
    async def create_ns_preview(args: NamespaceArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": args.name}}
        planned = await kube.attempt(
            scope,
            scope.action("create", NAMESPACE, args.name),
            NAMESPACE,
            scope.client.create(NAMESPACE, None, body, dry_run=True),
        )
        return effect_preview(
            f"namespace/{args.name} will be created on {scope.cluster}",
            [effect_of(NAMESPACE, args.name, None, old=None, new=planned)],
        )

    @guard
    async def create_ns(args: NamespaceArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": args.name}}
        await kube.attempt(
            scope,
            scope.action("create", NAMESPACE, args.name),
            NAMESPACE,
            scope.client.create(NAMESPACE, None, body),
        )
        return OperationResult(
            status=Status.OK,
            text=f"{scope.cluster} / cluster-wide\nnamespace/{args.name} created",
            undo=UndoPlan(
                "k8s_delete_namespace",
                {"cluster": args.cluster, "name": args.name},
                f"delete namespace/{args.name}",
            ),
        )

    return [
        Operation(
            name="k8s_create_namespace",
            description="Create a namespace.",
            safety=Safety.WRITE,
            args_model=NamespaceArgs,
            run=create_ns,
            preview=create_ns_preview,
            kind="namespace",
            command=CommandSpec(words=("create", "namespace"), positionals=("name",)),
            authorize=sar_hook(kube, verb="create", kind=NAMESPACE),
        ),
        delete_operation(
            kube,
            NAMESPACE,
            args_model=NamespaceArgs,
            consequence=_namespace_consequence,
            description="Delete a namespace and everything in it.",
        ),
        delete_operation(
            kube,
            kind_for("pod"),
            args_model=ObjectArgs,
            consequence=_pod_consequence,
            description="Delete a pod.",
        ),
    ]


__all__ = ["ObjectArgs", "delete_operation", "no_consequence", "object_operations"]
