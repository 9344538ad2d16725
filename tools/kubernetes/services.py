"""Service changes: create (selector taken from a deployment), change type or port, delete.

Create and update are WRITE with a server-side dry run in the preview;
delete is DESTRUCTIVE (see `objects.delete_operation`). Updates replace the
whole Service with the approved resourceVersion, so a concurrent change
gives "changed since approval". No policy here.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from pydantic import Field, field_validator

from tools.base import (
    CommandSpec,
    Operation,
    OperationResult,
    Preview,
    RunContext,
    Safety,
    Status,
    UndoPlan,
    check_dns1123_subdomain,
)
from tools.kubernetes.authorize import sar_hook
from tools.kubernetes.common import Explained, Kube, Scope, binding_of, guard, guard_preview
from tools.kubernetes.effects import effect_of, effect_preview
from tools.kubernetes.kinds import kind_for
from tools.kubernetes.objects import ObjectArgs, delete_operation, no_consequence
from tools.kubernetes.writes import check_binding, read_target, ref, replace_checked

SERVICE = kind_for("service")
DEPLOY = kind_for("deployment")
ServiceType = Literal["ClusterIP", "NodePort", "LoadBalancer"]


class CreateServiceArgs(ObjectArgs):
    deployment: str | None = Field(default=None, max_length=253, description="select this deployment's pods")
    type: ServiceType = Field(default="ClusterIP", description="service type")
    port: int = Field(ge=1, le=65535, description="service port")
    target_port: int | None = Field(default=None, ge=1, le=65535, description="container port; default: port")
    protocol: Literal["TCP", "UDP"] = Field(default="TCP", description="protocol")

    @field_validator("deployment")
    @classmethod
    def _deployment(cls, value: str | None) -> str | None:
        return None if value is None else check_dns1123_subdomain(value, what="deployment")


class UpdateServiceArgs(ObjectArgs):
    type: ServiceType | None = Field(default=None, description="new type")
    port: int | None = Field(default=None, ge=1, le=65535, description="new port")
    target_port: int | None = Field(default=None, ge=1, le=65535, description="new target port")


async def _selector(kube: Kube, scope: Scope, deployment: str) -> dict[str, str]:
    d = await kube.attempt(
        scope,
        scope.action("get", DEPLOY, deployment),
        DEPLOY,
        scope.client.get(DEPLOY, deployment, scope.namespace),
    )
    labels = ((d.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    if not labels:
        raise Explained(f"deployment/{deployment} in {scope.header} has no matchLabels selector to copy")
    return {str(k): str(v) for k, v in labels.items()}


def _service(args: CreateServiceArgs, namespace: str, selector: dict[str, str]) -> dict[str, Any]:
    port = {
        "name": f"{args.protocol.lower()}-{args.port}",
        "port": args.port,
        "targetPort": args.target_port or args.port,
        "protocol": args.protocol,
    }
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": args.name, "namespace": namespace},
        "spec": {"type": args.type, "selector": selector, "ports": [port]},
    }


def _updated(current: dict[str, Any], args: UpdateServiceArgs) -> tuple[dict[str, Any], list[str]]:
    body = copy.deepcopy(current)
    spec = body.setdefault("spec", {})
    ports = spec.get("ports") or []
    changes = []
    if args.type and args.type != spec.get("type", "ClusterIP"):
        changes.append(f"type {spec.get('type', 'ClusterIP')} → {args.type}")
        spec["type"] = args.type
        if args.type == "ClusterIP":
            for p in ports:
                p.pop("nodePort", None)
    if (args.port or args.target_port) and not ports:
        raise Explained(f"service/{args.name} has no ports to change")
    if (args.port or args.target_port) and len(ports) > 1:
        raise Explained(
            f"service/{args.name} has {len(ports)} ports; change it with !apply and a manifest instead"
        )
    if args.port and ports[0].get("port") != args.port:
        changes.append(f"port {ports[0].get('port')} → {args.port}")
        ports[0]["port"] = args.port
    if args.target_port and ports[0].get("targetPort") != args.target_port:
        changes.append(f"targetPort {ports[0].get('targetPort')} → {args.target_port}")
        ports[0]["targetPort"] = args.target_port
    if not changes:
        raise Explained(f"service/{args.name} already looks like that; nothing to change")
    return body, changes


def service_operations(kube: Kube) -> list[Operation]:
    @guard_preview
    async def create_preview(args: CreateServiceArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        selector = await _selector(kube, scope, args.deployment or args.name)
        body = _service(args, str(scope.namespace), selector)
        planned = await kube.attempt(
            scope,
            scope.action("create", SERVICE, args.name),
            SERVICE,
            scope.client.create(SERVICE, scope.namespace, body, dry_run=True),
        )
        sel = ",".join(f"{k}={v}" for k, v in selector.items())
        return effect_preview(
            f"{ref(SERVICE, args.name, scope)} will be created: {args.type} port {args.port} → "
            f"{args.target_port or args.port}/{args.protocol}, selecting {sel}",
            [effect_of(SERVICE, args.name, scope.namespace, old=None, new=planned)],
        )

    @guard
    async def create(args: CreateServiceArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        selector = await _selector(kube, scope, args.deployment or args.name)
        body = _service(args, str(scope.namespace), selector)
        await kube.attempt(
            scope,
            scope.action("create", SERVICE, args.name),
            SERVICE,
            scope.client.create(SERVICE, scope.namespace, body),
        )
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\nservice/{args.name} created ({args.type}, port {args.port})",
            undo=UndoPlan(
                "k8s_delete_service",
                {"cluster": args.cluster, "namespace": args.namespace, "name": args.name},
                f"delete service/{args.name}",
            ),
        )

    @guard_preview
    async def update_preview(args: UpdateServiceArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, SERVICE, args.name, "update")
        body, changes = _updated(current, args)
        after = await kube.attempt(
            scope,
            scope.action("update", SERVICE, args.name),
            SERVICE,
            scope.client.replace(SERVICE, args.name, scope.namespace, body, dry_run=True),
        )
        return effect_preview(
            f"{ref(SERVICE, args.name, scope)}: " + ", ".join(changes),
            [effect_of(SERVICE, args.name, scope.namespace, old=current, new=after)],
            binding=binding_of(current),
        )

    @guard
    async def update(args: UpdateServiceArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, SERVICE, args.name, "update")
        check_binding(ctx, current, scope.action("update", SERVICE, args.name))
        body, changes = _updated(current, args)
        await replace_checked(kube, scope, ctx, SERVICE, args.name, body)
        spec = current.get("spec") or {}
        port = (spec.get("ports") or [{}])[0]
        undo_args = {
            "cluster": args.cluster,
            "namespace": args.namespace,
            "name": args.name,
            "type": spec.get("type", "ClusterIP"),
            "port": port.get("port"),
        }
        if isinstance(port.get("targetPort"), int):
            undo_args["target_port"] = port["targetPort"]
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\nservice/{args.name}: " + ", ".join(changes),
            prior_state={"spec": spec},
            undo=UndoPlan("k8s_update_service", undo_args, f"put service/{args.name} back"),
        )

    ns = {"-n": "namespace"}
    return [
        Operation(
            name="k8s_create_service",
            description="Expose a deployment with a service.",
            safety=Safety.WRITE,
            args_model=CreateServiceArgs,
            run=create,
            preview=create_preview,
            command=CommandSpec(words=("create", "service"), positionals=("name",), aliases=ns),
            kind="service",
            authorize=sar_hook(kube, verb="create", kind=SERVICE),
        ),
        Operation(
            name="k8s_update_service",
            description="Change a service's type or port.",
            safety=Safety.WRITE,
            args_model=UpdateServiceArgs,
            run=update,
            preview=update_preview,
            command=CommandSpec(words=("update", "service"), positionals=("name",), aliases=ns),
            kind="service",
            authorize=sar_hook(kube, verb="update", kind=SERVICE),
        ),
        delete_operation(
            kube, SERVICE, args_model=ObjectArgs, consequence=no_consequence, description="Delete a service."
        ),
    ]
