"""Deployment changes: scale, set image, create, delete.

Each preview dry-runs on the server and states before → after; each run sends
the approved resourceVersion/uid, returns the prior spec and an undo plan.
Scaling to zero and deleting are DESTRUCTIVE. Nothing here decides whether a
change is allowed: that is the core's policy and approval.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from tools.base import (
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
from tools.kubernetes.common import Explained, Kube, binding_of, guard, guard_preview
from tools.kubernetes.effects import effect_of, effect_preview
from tools.kubernetes.kinds import kind_for
from tools.kubernetes.specs import DeploymentSpecArgs, deployment_manifest
from tools.kubernetes.writes import (
    NO_RECREATE,
    check_binding,
    delete_checked,
    dry_run_patch,
    patch_checked,
    read_target,
    recreate_undo,
    ref,
)

DEPLOY = kind_for("deployment")
_NS = {"-n": "namespace"}


class NameArgs(NamespacedArgs):
    name: str = Field(max_length=253, description="deployment name")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_subdomain(value)


class ScaleArgs(NameArgs):
    replicas: int = Field(ge=0, le=1000, description="desired replicas")


class SetImageArgs(NameArgs):
    container: str | None = Field(default=None, max_length=63, description="container; default: the only one")
    image: str = Field(min_length=1, max_length=512, pattern=r"^[\w][\w.\-/:@]*$", description="new image")

    @field_validator("container")
    @classmethod
    def _container(cls, value: str | None) -> str | None:
        return None if value is None else check_dns1123_label(value, what="container")


def _scope_key(args: NameArgs) -> dict[str, Any]:
    return {"cluster": args.cluster, "namespace": args.namespace, "name": args.name}


def _containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return list(((obj.get("spec") or {}).get("template") or {}).get("spec", {}).get("containers") or [])


def _pick_container(obj: dict[str, Any], wanted: str | None, what: str) -> str:
    names = [str(c.get("name")) for c in _containers(obj)]
    if wanted is None and len(names) == 1:
        return names[0]
    if wanted in names:
        return str(wanted)
    raise Explained(
        f"{what} has containers {', '.join(names)}; name one with --container"
        if wanted is None
        else f"{what} has no container {wanted!r}; choose one of: {', '.join(names)}"
    )


def _image_of(obj: dict[str, Any], container: str) -> str:
    return next(str(c.get("image")) for c in _containers(obj) if c.get("name") == container)


def deployment_operations(kube: Kube) -> list[Operation]:
    @guard_preview
    async def scale_preview(args: ScaleArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, DEPLOY, args.name, "patch")
        before = int((current.get("spec") or {}).get("replicas") or 0)
        after = await dry_run_patch(kube, scope, DEPLOY, args.name, {"spec": {"replicas": args.replicas}})
        got = int((after.get("spec") or {}).get("replicas") or 0)
        effect = ""
        if got < before:
            effect = f"; {before - got} pod(s) will be stopped"
        elif got > before:
            effect = f"; {got - before} pod(s) will be started"
        return effect_preview(
            f"{ref(DEPLOY, args.name, scope)}: replicas {before} → {got}{effect}",
            [effect_of(DEPLOY, args.name, scope.namespace, old=current, new=after)],
            binding=binding_of(current),
        )

    @guard
    async def scale(args: ScaleArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, DEPLOY, args.name, "patch")
        check_binding(ctx, current, scope.action("patch", DEPLOY, args.name))
        before = int((current.get("spec") or {}).get("replicas") or 0)
        await patch_checked(kube, scope, ctx, DEPLOY, args.name, {"spec": {"replicas": args.replicas}})
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\ndeployment/{args.name}: replicas {before} → {args.replicas}",
            prior_state={"spec": {"replicas": before}},
            undo=UndoPlan(
                "k8s_scale_deployment",
                {**_scope_key(args), "replicas": before},
                f"scale deployment/{args.name} back to {before}",
            ),
        )

    @guard_preview
    async def set_image_preview(args: SetImageArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, DEPLOY, args.name, "patch")
        container = _pick_container(current, args.container, ref(DEPLOY, args.name, scope))
        body = {"spec": {"template": {"spec": {"containers": [{"name": container, "image": args.image}]}}}}
        after = await dry_run_patch(kube, scope, DEPLOY, args.name, body)
        replicas = (current.get("spec") or {}).get("replicas") or 0
        return effect_preview(
            f"{ref(DEPLOY, args.name, scope)}: container {container} image "
            f"{_image_of(current, container)} → {_image_of(after, container)}; "
            f"{replicas} pod(s) will be replaced",
            [effect_of(DEPLOY, args.name, scope.namespace, old=current, new=after)],
            binding=binding_of(current),
        )

    @guard
    async def set_image(args: SetImageArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, DEPLOY, args.name, "patch")
        check_binding(ctx, current, scope.action("patch", DEPLOY, args.name))
        container = _pick_container(current, args.container, ref(DEPLOY, args.name, scope))
        old = _image_of(current, container)
        body = {"spec": {"template": {"spec": {"containers": [{"name": container, "image": args.image}]}}}}
        await patch_checked(kube, scope, ctx, DEPLOY, args.name, body)
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\ndeployment/{args.name}: container {container} image {old} → {args.image}",
            prior_state={"spec": current.get("spec") or {}},
            undo=UndoPlan(
                "k8s_set_image",
                {**_scope_key(args), "container": container, "image": old},
                f"set deployment/{args.name} container {container} back to {old}",
            ),
        )

    @guard_preview
    async def create_preview(args: DeploymentSpecArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        body = deployment_manifest(args, namespace=str(scope.namespace))
        planned = await kube.attempt(
            scope,
            scope.action("create", DEPLOY, args.name),
            DEPLOY,
            scope.client.create(DEPLOY, scope.namespace, body, dry_run=True),
        )
        env = f", env {', '.join(args.env)}" if args.env else ""
        return effect_preview(
            f"{ref(DEPLOY, args.name, scope)} will be created: image {args.image}, "
            f"replicas {args.replicas}" + (f", port {args.port}" if args.port else "") + env,
            [effect_of(DEPLOY, args.name, scope.namespace, old=None, new=planned)],
        )

    @guard
    async def create(args: DeploymentSpecArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        body = deployment_manifest(args, namespace=str(scope.namespace))
        created = await kube.attempt(
            scope,
            scope.action("create", DEPLOY, args.name),
            DEPLOY,
            scope.client.create(DEPLOY, scope.namespace, body),
        )
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\ndeployment/{args.name} created ({args.replicas} × {args.image})",
            undo=UndoPlan(
                "k8s_delete_deployment",
                {"cluster": args.cluster, "namespace": args.namespace, "name": args.name},
                f"delete deployment/{args.name}",
            ),
            data={"uid": str((created.get("metadata") or {}).get("uid"))},
        )

    @guard_preview
    async def delete_preview(args: NameArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, DEPLOY, args.name, "delete")
        ctx_bound = RunContext(request_id=ctx.request_id, identity=ctx.identity, binding=binding_of(current))
        await delete_checked(kube, scope, ctx_bound, DEPLOY, args.name, dry_run=True)
        replicas = (current.get("spec") or {}).get("replicas") or 0
        return effect_preview(
            f"{ref(DEPLOY, args.name, scope)} will be deleted with its {replicas} pod(s)",
            [effect_of(DEPLOY, args.name, scope.namespace, old=current, new=None)],
            binding=binding_of(current),
        )

    @guard
    async def delete(args: NameArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, DEPLOY, args.name, "delete")
        check_binding(ctx, current, scope.action("delete", DEPLOY, args.name))
        await delete_checked(kube, scope, ctx, DEPLOY, args.name)
        undo = recreate_undo(
            kind_name="deployment",
            name=args.name,
            cluster=args.cluster,
            namespace=args.namespace,
            obj=current,
        )
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\ndeployment/{args.name} deleted" + ("" if undo else f"; {NO_RECREATE}"),
            prior_state=current,
            undo=undo,
        )

    def ns_alias(words: tuple[str, ...], *positionals: str, **extra: str) -> CommandSpec:
        return CommandSpec(words=words, positionals=positionals, aliases={**_NS, **extra})

    common: dict[str, Any] = {"kind": "deployment"}
    return [
        Operation(
            name="k8s_scale_deployment",
            description="Scale a deployment to N replicas.",
            safety=Safety.WRITE,
            args_model=ScaleArgs,
            run=scale,
            preview=scale_preview,
            command=ns_alias(("scale", "deployment"), "name"),
            escalate=lambda a: Safety.DESTRUCTIVE if a.replicas == 0 else Safety.WRITE,
            authorize=sar_hook(kube, verb="patch", kind=DEPLOY),
            **common,
        ),
        Operation(
            name="k8s_set_image",
            description="Set a deployment container's image.",
            safety=Safety.WRITE,
            args_model=SetImageArgs,
            run=set_image,
            preview=set_image_preview,
            command=ns_alias(("set", "image"), "name", **{"-c": "container"}),
            authorize=sar_hook(kube, verb="patch", kind=DEPLOY),
            **common,
        ),
        Operation(
            name="k8s_create_deployment",
            description="Create a deployment from an image.",
            safety=Safety.WRITE,
            args_model=DeploymentSpecArgs,
            run=create,
            preview=create_preview,
            command=ns_alias(("create", "deployment"), "name"),
            authorize=sar_hook(kube, verb="create", kind=DEPLOY),
            **common,
        ),
        Operation(
            name="k8s_delete_deployment",
            description="Delete a deployment and its pods.",
            safety=Safety.DESTRUCTIVE,
            args_model=NameArgs,
            run=delete,
            preview=delete_preview,
            command=ns_alias(("delete", "deployment"), "name"),
            authorize=sar_hook(kube, verb="delete", kind=DEPLOY),
            **common,
        ),
    ]
