"""Rollout history and rollback of statefulsets and daemonsets, from their ControllerRevisions.

As `kubectl rollout history/undo` do: the revisions are the ControllerRevision
objects the workload owns (their `revision` number and the pod template in
`data`); a rollback replaces the workload's pod template with an older one,
with the resourceVersion seen at approval as precondition. Deployments are in
`rollout.py` (their history lives in ReplicaSets). No policy here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from tools.base import (
    CommandSpec,
    Operation,
    OperationResult,
    Preview,
    RunContext,
    Safety,
    Status,
    Table,
    UndoPlan,
)
from tools.kubernetes.authorize import sar_hook
from tools.kubernetes.common import Explained, Kube, Scope, binding_of, guard, guard_preview, meta
from tools.kubernetes.deployments import NameArgs
from tools.kubernetes.effects import effect_of, effect_preview
from tools.kubernetes.kinds import ResourceKind, kind_for
from tools.kubernetes.render import age_seconds, human_age
from tools.kubernetes.writes import check_binding, read_target, ref, replace_checked

CONTROLLER_REVISION = ResourceKind(
    "controllerrevision", "ControllerRevision", "controllerrevisions", "apps", "v1"
)
WorkloadKind = Literal["statefulset", "daemonset"]


class WorkloadRollbackArgs(NameArgs):
    revision: int | None = Field(default=None, ge=1, description="revision; default: the previous")


def images(template: dict[str, Any]) -> str:
    return ",".join(str(c.get("image")) for c in (template.get("spec") or {}).get("containers") or [])


def _template(revision: dict[str, Any]) -> dict[str, Any]:
    template = dict(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    return template


async def controller_revisions(scope: Scope, owner: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(revision, ControllerRevision) pairs the workload owns, newest first."""
    uid = meta(owner).get("uid")
    found: list[tuple[int, dict[str, Any]]] = []
    token: str | None = None
    while True:
        page = await scope.client.list_page(
            CONTROLLER_REVISION, scope.namespace, limit=500, continue_token=token
        )
        for item in page.get("items") or []:
            if any(o.get("uid") == uid for o in meta(item).get("ownerReferences") or []):
                found.append((int(item.get("revision") or 0), item))
        token = (page.get("metadata") or {}).get("continue") or None
        if token is None:
            break
    return sorted(found, key=lambda pair: pair[0], reverse=True)


async def workload_history(
    scope: Scope, kind: ResourceKind, obj: dict[str, Any], name: str
) -> OperationResult:
    rows = tuple(
        (str(number), images(_template(rev)), human_age(age_seconds(rev)))
        for number, rev in await controller_revisions(scope, obj)
    )
    if not rows:
        return OperationResult(status=Status.NO_DATA, text=f"{scope.header}\n{kind.name}/{name}: no history")
    return OperationResult(
        status=Status.OK,
        text=f"{scope.header}\n{kind.name}/{name} revisions",
        table=Table(("REVISION", "IMAGES", "AGE"), rows),
    )


async def _target(
    scope: Scope, obj: dict[str, Any], wanted: int | None, what: str
) -> tuple[int, int, dict[str, Any]]:
    history = await controller_revisions(scope, obj)
    if not history:
        raise Explained(f"{what} has no rollout history to go back to")
    current = history[0][0]
    if wanted is None:
        if len(history) < 2:
            raise Explained(f"{what} has only revision {current}; there is nothing to roll back to")
        return current, history[1][0], _template(history[1][1])
    for number, rev in history:
        if number == wanted:
            if number == current:
                raise Explained(f"{what} is already at revision {wanted}")
            return current, number, _template(rev)
    known = ", ".join(str(n) for n, _ in history)
    raise Explained(f"{what} has no revision {wanted}; known revisions: {known}")


def workload_rollback_operation(kube: Kube, kind_name: WorkloadKind) -> Operation:
    kind = kind_for(kind_name)

    @guard_preview
    async def preview(args: WorkloadRollbackArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, kind, args.name, "update")
        what = ref(kind, args.name, scope)
        now, to, template = await _target(scope, current, args.revision, what)
        body = {**current, "spec": {**current["spec"], "template": template}}
        after = await kube.attempt(
            scope,
            scope.action("update", kind, args.name),
            kind,
            scope.client.replace(kind, args.name, scope.namespace, body, dry_run=True),
        )
        before = images((current.get("spec") or {}).get("template") or {})
        return effect_preview(
            f"{what}: revision {now} ({before}) → revision {to} ({images(template)})",
            [effect_of(kind, args.name, scope.namespace, old=current, new=after)],
            binding=binding_of(current),
        )

    @guard
    async def run(args: WorkloadRollbackArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, kind, args.name, "update")
        check_binding(ctx, current, scope.action("update", kind, args.name))
        now, to, template = await _target(scope, current, args.revision, ref(kind, args.name, scope))
        body = {**current, "spec": {**current["spec"], "template": template}}
        await replace_checked(kube, scope, ctx, kind, args.name, body)
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\n{kind_name}/{args.name}: rolled back from revision {now} to {to}",
            prior_state={"spec": current.get("spec") or {}},
            undo=UndoPlan(
                f"k8s_rollback_{kind_name}",
                {"cluster": args.cluster, "namespace": args.namespace, "name": args.name, "revision": now},
                f"roll {kind_name}/{args.name} forward to revision {now}",
            ),
        )

    return Operation(
        name=f"k8s_rollback_{kind_name}",
        description=f"Roll a {kind_name} back to a revision.",
        safety=Safety.WRITE,
        args_model=WorkloadRollbackArgs,
        run=run,
        preview=preview,
        command=CommandSpec(
            words=("rollback", kind_name), positionals=("name",), aliases={"-n": "namespace"}
        ),
        authorize=sar_hook(kube, verb="update", kind=kind),
        kind=kind_name,
    )
