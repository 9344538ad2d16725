"""Rollouts: status (deployments, statefulsets, daemonsets); history, restart, rollback, pause, resume.

History comes from the deployment's ReplicaSets (their revision
annotation); rollback puts an older ReplicaSet's pod template back with a
resourceVersion precondition, as `kubectl rollout undo` does. Restart sets
the `kubectl.kubernetes.io/restartedAt` annotation. No policy here.
"""

from __future__ import annotations

import datetime as dt
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
    Table,
    UndoPlan,
)
from tools.kubernetes.authorize import sar_hook
from tools.kubernetes.common import Explained, Kube, Scope, binding_of, guard, guard_preview, meta
from tools.kubernetes.deployments import DEPLOY, NameArgs
from tools.kubernetes.effects import effect_of, effect_preview
from tools.kubernetes.kinds import kind_for, normalise_kind
from tools.kubernetes.render import age_seconds, human_age
from tools.kubernetes.workload_rollout import workload_history, workload_rollback_operation
from tools.kubernetes.writes import (
    check_binding,
    dry_run_patch,
    patch_checked,
    read_target,
    ref,
    replace_checked,
    spec_flag_change,
)

RS = kind_for("replicaset")
REVISION = "deployment.kubernetes.io/revision"
_NS = {"-n": "namespace"}


class RolloutStatusArgs(NameArgs):
    kind: Literal["deployment", "statefulset", "daemonset"] = Field(
        default="deployment", description="deployment, statefulset or daemonset"
    )

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> object:
        return normalise_kind(value)


def workload_rollout(kind: str, obj: dict[str, Any]) -> tuple[str, dict[str, int]]:
    """The rollout line of a statefulset or daemonset, kubectl's way."""
    spec, st = obj.get("spec") or {}, obj.get("status") or {}
    stale = int(st.get("observedGeneration") or 0) < int(meta(obj).get("generation") or 0)
    if kind == "statefulset":
        want = int(spec.get("replicas") or 0)
        updated, ready = int(st.get("updatedReplicas") or 0), int(st.get("readyReplicas") or 0)
        figures = {"replicas": want, "updated": updated, "ready": ready}
        revision_done = st.get("updateRevision") in (None, st.get("currentRevision"))
    else:
        want = int(st.get("desiredNumberScheduled") or 0)
        updated, ready = int(st.get("updatedNumberScheduled") or 0), int(st.get("numberAvailable") or 0)
        figures = {"desired": want, "updated": updated, "available": ready}
        revision_done = True
    if stale:
        return "waiting for the controller to see the latest change", figures
    if updated < want:
        return f"waiting: {updated} of {want} pods updated", figures
    if ready < want:
        return f"waiting: {ready} of {want} updated pods ready", figures
    if not revision_done:
        return "waiting: the update revision is not current yet", figures
    return f"rollout complete: {want} of {want} pods updated and ready", figures


class RollbackArgs(NameArgs):
    revision: int | None = Field(default=None, ge=1, description="revision; default: the previous")


def _images(template: dict[str, Any]) -> str:
    return ",".join(str(c.get("image")) for c in (template.get("spec") or {}).get("containers") or [])


async def revisions(scope: Scope, deployment: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    """(revision, replicaset) pairs owned by the deployment, newest first."""
    uid = meta(deployment).get("uid")
    selector = ",".join(
        f"{k}={v}"
        for k, v in ((deployment.get("spec") or {}).get("selector") or {}).get("matchLabels", {}).items()
    )
    page = await scope.client.list_page(RS, scope.namespace, label_selector=selector or None, limit=500)
    found = []
    for rs in page.get("items") or []:
        owners = meta(rs).get("ownerReferences") or []
        if any(o.get("uid") == uid for o in owners):
            revision = (meta(rs).get("annotations") or {}).get(REVISION)
            if revision and str(revision).isdigit():
                found.append((int(revision), rs))
    return sorted(found, key=lambda pair: -pair[0])


def _clean_template(rs: dict[str, Any]) -> dict[str, Any]:
    template = dict((rs.get("spec") or {}).get("template") or {})
    template_meta = dict(template.get("metadata") or {})
    labels = {k: v for k, v in (template_meta.get("labels") or {}).items() if k != "pod-template-hash"}
    template_meta["labels"] = labels
    template["metadata"] = template_meta
    return template


async def _target_revision(
    scope: Scope, deployment: dict[str, Any], wanted: int | None, what: str
) -> tuple[int, int, dict[str, Any]]:
    history = await revisions(scope, deployment)
    if not history:
        raise Explained(f"{what} has no rollout history to go back to")
    current = int((meta(deployment).get("annotations") or {}).get(REVISION) or history[0][0])
    if wanted is None:
        older = [pair for pair in history if pair[0] != current]
        if not older:
            raise Explained(f"{what} has only revision {current}; there is nothing to roll back to")
        return current, older[0][0], older[0][1]
    for revision, rs in history:
        if revision == wanted:
            if revision == current:
                raise Explained(f"{what} is already at revision {wanted}")
            return current, revision, rs
    known = ", ".join(str(r) for r, _ in history)
    raise Explained(f"{what} has no revision {wanted}; known revisions: {known}")


def rollout_operations(kube: Kube) -> list[Operation]:
    @guard
    async def status(args: RolloutStatusArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        if args.kind != "deployment":
            obj = await read_target(kube, scope, kind_for(args.kind), args.name, "get")
            line, figures = workload_rollout(args.kind, obj)
            return OperationResult(
                status=Status.OK, text=f"{scope.header}\n{args.kind}/{args.name}: {line}", data=figures
            )
        d = await read_target(kube, scope, DEPLOY, args.name, "get")
        spec, st = d.get("spec") or {}, d.get("status") or {}
        want = int(spec.get("replicas") or 0)
        updated, available = int(st.get("updatedReplicas") or 0), int(st.get("availableReplicas") or 0)
        conditions = {c.get("type"): c for c in st.get("conditions") or []}
        progressing = conditions.get("Progressing") or {}
        if spec.get("paused"):
            line = "rollout is paused; resume it to continue"
        elif progressing.get("reason") == "ProgressDeadlineExceeded":
            line = f"rollout failed: progress deadline exceeded ({progressing.get('message', '')})"
        elif int(st.get("observedGeneration") or 0) < int(meta(d).get("generation") or 0):
            line = "waiting for the controller to see the latest change"
        elif updated < want:
            line = f"waiting: {updated} of {want} replicas updated"
        elif available < want:
            line = f"waiting: {available} of {want} updated replicas available"
        else:
            line = f"rollout complete: {want} of {want} replicas updated and available"
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\ndeployment/{args.name}: {line}",
            data={"replicas": want, "updated": updated, "available": available},
        )

    @guard
    async def history(args: RolloutStatusArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        if args.kind != "deployment":
            kind = kind_for(args.kind)
            obj = await read_target(kube, scope, kind, args.name, "get")
            return await workload_history(scope, kind, obj, args.name)
        d = await read_target(kube, scope, DEPLOY, args.name, "get")
        rows = tuple(
            (
                str(rev),
                _images((rs.get("spec") or {}).get("template") or {}),
                str((rs.get("status") or {}).get("replicas") or 0),
                str((meta(rs).get("annotations") or {}).get("kubernetes.io/change-cause") or ""),
                human_age(age_seconds(rs)),
            )
            for rev, rs in await revisions(scope, d)
        )
        if not rows:
            return OperationResult(
                status=Status.NO_DATA, text=f"{scope.header}\ndeployment/{args.name}: no history"
            )
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\ndeployment/{args.name} revisions",
            table=Table(("REVISION", "IMAGES", "REPLICAS", "CHANGE-CAUSE", "AGE"), rows),
        )

    def restart_body(ctx: RunContext) -> dict[str, Any]:
        # The approved time is sent (and re-checked), not the time the approval came in.
        now = ctx.binding.get("restartedAt") or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        annotations = {"kubectl.kubernetes.io/restartedAt": now}
        return {"spec": {"template": {"metadata": {"annotations": annotations}}}}

    @guard_preview
    async def restart_preview(args: NameArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, DEPLOY, args.name, "patch")
        body = restart_body(ctx)
        after = await dry_run_patch(kube, scope, DEPLOY, args.name, body)
        n = (current.get("spec") or {}).get("replicas") or 0
        stamp = body["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
        return effect_preview(
            f"{ref(DEPLOY, args.name, scope)}: rolling restart; {n} pod(s) replaced one by one",
            [effect_of(DEPLOY, args.name, scope.namespace, old=current, new=after)],
            binding={**binding_of(current), "restartedAt": stamp},
        )

    @guard
    async def restart(args: NameArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, DEPLOY, args.name, "patch")
        check_binding(ctx, current, scope.action("patch", DEPLOY, args.name))
        await patch_checked(kube, scope, ctx, DEPLOY, args.name, restart_body(ctx))
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\ndeployment/{args.name}: restart started",
            prior_state={"spec": current.get("spec") or {}},
        )

    @guard_preview
    async def rollback_preview(args: RollbackArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, DEPLOY, args.name, "update")
        what = ref(DEPLOY, args.name, scope)
        now_rev, to_rev, rs = await _target_revision(scope, current, args.revision, what)
        body = {**current, "spec": {**current["spec"], "template": _clean_template(rs)}}
        after = await kube.attempt(
            scope,
            scope.action("update", DEPLOY, args.name),
            DEPLOY,
            scope.client.replace(DEPLOY, args.name, scope.namespace, body, dry_run=True),
        )
        before = _images((current.get("spec") or {}).get("template") or {})
        return effect_preview(
            f"{what}: revision {now_rev} ({before}) → revision {to_rev} ({_images(_clean_template(rs))})",
            [effect_of(DEPLOY, args.name, scope.namespace, old=current, new=after)],
            binding=binding_of(current),
        )

    @guard
    async def rollback(args: RollbackArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, DEPLOY, args.name, "update")
        check_binding(ctx, current, scope.action("update", DEPLOY, args.name))
        now_rev, to_rev, rs = await _target_revision(
            scope, current, args.revision, ref(DEPLOY, args.name, scope)
        )
        body = {**current, "spec": {**current["spec"], "template": _clean_template(rs)}}
        await replace_checked(kube, scope, ctx, DEPLOY, args.name, body)
        return OperationResult(
            status=Status.OK,
            text=f"{scope.header}\ndeployment/{args.name}: rolled back from revision {now_rev} to {to_rev}",
            prior_state={"spec": current.get("spec") or {}},
            undo=UndoPlan(
                "k8s_rollback_deployment",
                {
                    "cluster": args.cluster,
                    "namespace": args.namespace,
                    "name": args.name,
                    "revision": now_rev,
                },
                f"roll deployment/{args.name} forward to revision {now_rev}",
            ),
        )

    def pauser(paused: bool) -> tuple[Any, Any]:
        word, inverse = ("pause", "resume") if paused else ("resume", "pause")
        return spec_flag_change(
            kube,
            DEPLOY,
            "paused",
            paused,
            target=lambda args, scope: ref(DEPLOY, args.name, scope),
            done=lambda args, scope: f"{scope.header}\ndeployment/{args.name}: rollout {word}d",
            undo_operation=f"k8s_{inverse}_deployment",
            undo_args=lambda args: {"cluster": args.cluster, "namespace": args.namespace, "name": args.name},
            undo_summary=lambda args: f"{inverse} deployment/{args.name}",
        )

    pause_preview, pause = pauser(True)
    resume_preview, resume = pauser(False)
    patch_auth = sar_hook(kube, verb="patch", kind=DEPLOY)

    def spec(*words: str) -> CommandSpec:
        return CommandSpec(words=words, positionals=("name",), aliases=_NS)

    return [
        Operation(
            name="k8s_rollout_status",
            description="Show whether a deployment's, statefulset's or daemonset's rollout finished.",
            safety=Safety.READ,
            args_model=RolloutStatusArgs,
            run=status,
            command=spec("rollout", "status"),
            kind="deployment",
        ),
        Operation(
            name="k8s_rollout_history",
            description="List the revisions of a deployment, statefulset or daemonset.",
            safety=Safety.READ,
            args_model=RolloutStatusArgs,
            run=history,
            command=spec("rollout", "history"),
            kind="deployment",
        ),
        Operation(
            name="k8s_restart_deployment",
            description="Restart a deployment's pods (rolling).",
            safety=Safety.WRITE,
            args_model=NameArgs,
            run=restart,
            preview=restart_preview,
            command=spec("restart", "deployment"),
            authorize=patch_auth,
            kind="deployment",
        ),
        Operation(
            name="k8s_rollback_deployment",
            description="Roll a deployment back to a revision.",
            safety=Safety.WRITE,
            args_model=RollbackArgs,
            run=rollback,
            preview=rollback_preview,
            command=spec("rollback", "deployment"),
            kind="deployment",
            authorize=sar_hook(kube, verb="update", kind=DEPLOY),
        ),
        Operation(
            name="k8s_pause_deployment",
            description="Pause a deployment's rollout.",
            safety=Safety.WRITE,
            args_model=NameArgs,
            run=pause,
            preview=pause_preview,
            command=spec("pause", "deployment"),
            authorize=patch_auth,
            kind="deployment",
        ),
        Operation(
            name="k8s_resume_deployment",
            description="Resume a paused rollout.",
            safety=Safety.WRITE,
            args_model=NameArgs,
            run=resume,
            preview=resume_preview,
            command=spec("resume", "deployment"),
            authorize=patch_auth,
            kind="deployment",
        ),
        workload_rollback_operation(kube, "statefulset"),
        workload_rollback_operation(kube, "daemonset"),
    ]
