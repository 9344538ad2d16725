"""Shared steps of every Kubernetes change: bind, dry-run, run once, undo.

`preview()` of a change reads the target, dry-runs the change on the server
(`dryRun=All`) and returns the target's resourceVersion and uid as the
binding. `run()` sends that resourceVersion (or a uid precondition on
delete) with the change, so an object changed since approval gives a 409,
reported as "changed since approval; ask again". This module holds no
operation of its own and never decides policy.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import yaml

from tools.base import OperationResult, Preview, RunContext, Status, UndoPlan
from tools.kubernetes.client import PatchType
from tools.kubernetes.common import Explained, Kube, Scope, binding_of, guard, guard_preview, meta
from tools.kubernetes.effects import effect_of, effect_preview
from tools.kubernetes.errors import Action, Conflict, KubeError, changed_since_approval
from tools.kubernetes.kinds import ResourceKind
from tools.redact import redact_object, redact_text

_SERVER_FIELDS = (
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "ownerReferences",
)


def rv(obj: Mapping[str, Any]) -> str:
    return str(meta(obj).get("resourceVersion") or "")


def ref(kind: ResourceKind, name: str, scope: Scope) -> str:
    return (
        f"{kind.name}/{name} in {scope.header}"
        if kind.namespaced
        else f"{kind.name}/{name} on {scope.cluster}"
    )


async def read_target(kube: Kube, scope: Scope, kind: ResourceKind, name: str, verb: str) -> dict[str, Any]:
    """The object a change acts on, or an `Explained` 404/403 sentence."""
    ns = scope.namespace if kind.namespaced else None
    return await kube.attempt(scope, scope.action(verb, kind, name), kind, scope.client.get(kind, name, ns))


async def _stale(scope: Scope, kind: ResourceKind, name: str, action: Action, expected: str) -> Explained:
    try:
        current = rv(await scope.client.get(kind, name, scope.namespace if kind.namespaced else None))
    except KubeError:
        current = "gone"
    return Explained(changed_since_approval(action, expected=expected, actual=current))


def check_binding(ctx: RunContext, obj: Mapping[str, Any], action: Action) -> None:
    """Stop before acting when the object is not the one the approval saw."""
    expected_uid = ctx.binding.get("uid")
    if expected_uid and meta(obj).get("uid") and expected_uid != meta(obj).get("uid"):
        raise Explained(
            f"{action.what} in {action.where} was deleted and re-created since approval; ask again"
        )
    expected = ctx.binding.get("resourceVersion")
    if expected and rv(obj) and expected != rv(obj):
        raise Explained(changed_since_approval(action, expected=expected, actual=rv(obj)))


async def patch_checked(
    kube: Kube,
    scope: Scope,
    ctx: RunContext,
    kind: ResourceKind,
    name: str,
    body: dict[str, Any],
    *,
    verb: str = "patch",
) -> dict[str, Any]:
    """Patch with the approved resourceVersion as a precondition; a 409 is "changed since approval"."""
    ns = scope.namespace if kind.namespaced else None
    expected = ctx.binding.get("resourceVersion")
    if expected:
        body = {**body, "metadata": {**(body.get("metadata") or {}), "resourceVersion": expected}}
    try:
        return await scope.client.patch(kind, name, ns, body)
    except Conflict:
        raise await _stale(scope, kind, name, scope.action(verb, kind, name), expected or "?") from None
    except KubeError as error:
        raise Explained(await kube.explain(error, scope, scope.action(verb, kind, name), kind)) from None


async def replace_checked(
    kube: Kube, scope: Scope, ctx: RunContext, kind: ResourceKind, name: str, body: dict[str, Any]
) -> dict[str, Any]:
    """PUT with the approved resourceVersion; a 409 means someone changed it since."""
    ns = scope.namespace if kind.namespaced else None
    expected = ctx.binding.get("resourceVersion") or rv(body)
    body = {**body, "metadata": {**meta(body), "resourceVersion": expected}}
    try:
        return await scope.client.replace(kind, name, ns, body)
    except Conflict:
        raise await _stale(scope, kind, name, scope.action("update", kind, name), expected) from None
    except KubeError as error:
        raise Explained(await kube.explain(error, scope, scope.action("update", kind, name), kind)) from None


async def delete_checked(
    kube: Kube, scope: Scope, ctx: RunContext, kind: ResourceKind, name: str, *, dry_run: bool = False
) -> dict[str, Any]:
    """DELETE with the approved uid and resourceVersion as preconditions."""
    ns = scope.namespace if kind.namespaced else None
    uid = ctx.binding.get("uid") or None
    expected = ctx.binding.get("resourceVersion") or None
    try:
        return await scope.client.delete(kind, name, ns, uid=uid, resource_version=expected, dry_run=dry_run)
    except Conflict:
        raise await _stale(scope, kind, name, scope.action("delete", kind, name), expected or "?") from None
    except KubeError as error:
        raise Explained(await kube.explain(error, scope, scope.action("delete", kind, name), kind)) from None


async def dry_run_patch(
    kube: Kube,
    scope: Scope,
    kind: ResourceKind,
    name: str,
    body: Any,
    *,
    verb: str = "patch",
    patch_type: PatchType = "strategic",
) -> dict[str, Any]:
    ns = scope.namespace if kind.namespaced else None
    return await kube.attempt(
        scope,
        scope.action(verb, kind, name),
        kind,
        scope.client.patch(kind, name, ns, body, patch_type=patch_type, dry_run=True),
    )


def to_manifest(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object as something `k8s_apply` can re-create: no status, no server-owned fields."""
    m = {k: v for k, v in meta(obj).items() if k not in _SERVER_FIELDS}
    annotations = {
        k: v
        for k, v in (m.get("annotations") or {}).items()
        if k not in ("kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision")
    }
    m.pop("annotations", None)
    if annotations:
        m["annotations"] = annotations
    manifest = {k: v for k, v in obj.items() if k not in ("metadata", "status")}
    manifest["metadata"] = m
    spec = manifest.get("spec")
    if obj.get("kind") == "Service" and isinstance(spec, dict):
        manifest["spec"] = {k: v for k, v in spec.items() if k not in ("clusterIP", "clusterIPs")}
    return manifest


def manifest_yaml(obj: Mapping[str, Any]) -> str:
    """The prior manifest to keep, redacted by structure: secret values become markers, references stay."""
    return redact_text(yaml.safe_dump(redact_object(to_manifest(obj)), sort_keys=False))


NO_RECREATE = "no automatic undo: the object held values the bot never stores (secrets), so re-create it from its source"


def recreate_undo(
    *, kind_name: str, name: str, cluster: str | None, namespace: str | None, obj: Mapping[str, Any]
) -> UndoPlan | None:
    """Undo of a delete: re-apply the object, unless redaction changed it (it would come back broken)."""
    manifest = to_manifest(obj)
    plain = yaml.safe_dump(manifest, sort_keys=False)
    if redact_object(manifest) != manifest or redact_text(plain) != plain:
        return None
    return UndoPlan(
        "k8s_apply",
        {"cluster": cluster, "namespace": namespace, "manifest": plain},
        f"re-create {kind_name}/{name}",
    )


Describe = Callable[[Any, Scope], str]


def spec_flag_change(
    kube: Kube,
    kind: ResourceKind,
    field: str,
    value: bool,
    *,
    target: Describe,
    done: Describe,
    undo_operation: str,
    undo_args: Callable[[Any], dict[str, Any]],
    undo_summary: Callable[[Any], str],
) -> tuple[
    Callable[[Any, RunContext], Awaitable[Preview]], Callable[[Any, RunContext], Awaitable[OperationResult]]
]:
    """Preview and run of setting one boolean in `spec` (cordon/uncordon, pause/resume), with its undo."""
    body = {"spec": {field: value}}

    @guard_preview
    async def preview(args: Any, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, kind, args.name, "patch")
        before = bool((current.get("spec") or {}).get(field))
        after = await dry_run_patch(kube, scope, kind, args.name, body)
        namespace = scope.namespace if kind.namespaced else None
        return effect_preview(
            f"{target(args, scope)}: {field} {before} → {value}",
            [effect_of(kind, args.name, namespace, old=current, new=after)],
            binding=binding_of(current),
        )

    @guard
    async def run(args: Any, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, kind, args.name, "patch")
        check_binding(ctx, current, scope.action("patch", kind, args.name))
        await patch_checked(kube, scope, ctx, kind, args.name, body)
        return OperationResult(
            status=Status.OK,
            text=done(args, scope),
            prior_state={"spec": {field: bool((current.get("spec") or {}).get(field))}},
            undo=UndoPlan(undo_operation, undo_args(args), undo_summary(args)),
        )

    return preview, run
