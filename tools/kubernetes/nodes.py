"""Node changes: cordon, uncordon (WRITE) and drain (DESTRUCTIVE).

Drain cordons the node, then evicts its pods through the Eviction API so
PodDisruptionBudgets are honoured; DaemonSet and mirror pods stay, as with
`kubectl drain --ignore-daemonsets`. Previews dry-run the cordon and list the
pods that would be evicted. No policy here.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from tools.base import (
    ClusterArgs,
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
from tools.kubernetes.common import Kube, Scope, binding_of, guard, guard_preview, meta
from tools.kubernetes.effects import effect_of, effect_preview
from tools.kubernetes.errors import KubeError
from tools.kubernetes.kinds import kind_for
from tools.kubernetes.writes import check_binding, dry_run_patch, patch_checked, read_target, spec_flag_change

NODE = kind_for("node")
POD = kind_for("pod")


class NodeArgs(ClusterArgs):
    name: str = Field(max_length=253, description="node name")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return check_dns1123_subdomain(value)


async def pods_on(scope: Scope, node: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(pods to evict, pods that stay: DaemonSet-owned or mirror pods)."""
    evict: list[dict[str, Any]] = []
    stay: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = await scope.client.list_page(
            POD, None, field_selector=f"spec.nodeName={node}", limit=500, continue_token=token
        )
        for pod in page.get("items") or []:
            owners = meta(pod).get("ownerReferences") or []
            mirror = "kubernetes.io/config.mirror" in (meta(pod).get("annotations") or {})
            daemon = any(o.get("kind") == "DaemonSet" for o in owners)
            done = (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")
            (stay if (mirror or daemon) and not done else evict).append(pod)
        token = (page.get("metadata") or {}).get("continue") or None
        if token is None:
            return evict, stay


def _eviction(pod: dict[str, Any]) -> dict[str, Any]:
    ns, name = str(meta(pod).get("namespace")), str(meta(pod).get("name"))
    return {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": name, "namespace": ns}}


def _eviction_path(pod: dict[str, Any]) -> str:
    return POD.path(
        namespace=str(meta(pod).get("namespace")), name=str(meta(pod).get("name")), sub="eviction"
    )


def _label(pod: dict[str, Any]) -> str:
    return f"{meta(pod).get('namespace')}/{meta(pod).get('name')}"


def node_operations(kube: Kube) -> list[Operation]:
    def cordoner(unschedulable: bool) -> tuple[Any, Any]:
        word, inverse = ("cordon", "uncordon") if unschedulable else ("uncordon", "cordon")
        return spec_flag_change(
            kube,
            NODE,
            "unschedulable",
            unschedulable,
            target=lambda args, scope: f"node/{args.name} on {scope.cluster}",
            done=lambda args, scope: f"{scope.cluster} / cluster-wide\nnode/{args.name} {word}ed",
            undo_operation=f"k8s_{inverse}_node",
            undo_args=lambda args: {"cluster": args.cluster, "name": args.name},
            undo_summary=lambda args: f"{inverse} node/{args.name}",
        )

    cordon_preview, cordon = cordoner(True)
    uncordon_preview, uncordon = cordoner(False)

    @guard_preview
    async def drain_preview(args: NodeArgs, ctx: RunContext) -> Preview:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, NODE, args.name, "patch")
        after = await dry_run_patch(kube, scope, NODE, args.name, {"spec": {"unschedulable": True}})
        evict, stay = await pods_on(scope, args.name)
        refused = 0
        for pod in evict:  # each eviction as a dry run: the run sends exactly these
            try:
                await scope.client.json(
                    "POST", _eviction_path(pod), query=[("dryRun", "All")], body=_eviction(pod)
                )
            except KubeError:  # often a PodDisruptionBudget: the run reports it per pod
                refused += 1
        effects = [effect_of(NODE, args.name, None, old=current, new=after)] + [
            effect_of(POD, str(meta(p).get("name")), str(meta(p).get("namespace")), old=p, new=None)
            for p in evict
        ]
        names = ", ".join(_label(p) for p in evict[:15]) + (
            f" and {len(evict) - 15} more" if len(evict) > 15 else ""
        )
        return effect_preview(
            f"node/{args.name} on {scope.cluster}: cordon, then evict {len(evict)} pod(s)"
            + (f" ({names})" if evict else "")
            + f"; {len(stay)} DaemonSet/mirror pod(s) stay"
            + (f"; {refused} eviction(s) would be refused now" if refused else ""),
            effects,
            binding=binding_of(current),
        )

    @guard
    async def drain(args: NodeArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        current = await read_target(kube, scope, NODE, args.name, "patch")
        check_binding(ctx, current, scope.action("patch", NODE, args.name))
        await patch_checked(kube, scope, ctx, NODE, args.name, {"spec": {"unschedulable": True}})
        evict, stay = await pods_on(scope, args.name)
        evicted, failed = [], []
        for pod in evict:
            try:
                await scope.client.json("POST", _eviction_path(pod), body=_eviction(pod))
                evicted.append(_label(pod))
            except KubeError as error:
                failed.append(f"{_label(pod)} ({error})")
            await ctx.progress(f"evicted {len(evicted)} of {len(evict)} pods from {args.name}")
        lines = [
            f"{scope.cluster} / cluster-wide",
            f"node/{args.name} cordoned; evicted {len(evicted)} pod(s)"
            f"; {len(stay)} DaemonSet/mirror pod(s) left",
        ]
        if failed:
            lines.append(
                f"{len(failed)} eviction(s) refused (often a PodDisruptionBudget): " + "; ".join(failed[:10])
            )
        return OperationResult(
            status=Status.ERROR if failed else Status.OK,
            text="\n".join(lines),
            data={"evicted": evicted, "failed": len(failed)},
            prior_state={"spec": {"unschedulable": bool((current.get("spec") or {}).get("unschedulable"))}},
            undo=UndoPlan(
                "k8s_uncordon_node",
                {"cluster": args.cluster, "name": args.name},
                f"uncordon node/{args.name} (evicted pods are not moved back)",
            ),
        )

    def spec(word: str) -> CommandSpec:
        return CommandSpec(words=(word,), positionals=("name",))

    return [
        Operation(
            name="k8s_cordon_node",
            description="Mark a node unschedulable.",
            safety=Safety.WRITE,
            args_model=NodeArgs,
            run=cordon,
            preview=cordon_preview,
            command=spec("cordon"),
            kind="node",
            authorize=sar_hook(kube, verb="patch", kind=NODE),
        ),
        Operation(
            name="k8s_uncordon_node",
            description="Mark a node schedulable again.",
            safety=Safety.WRITE,
            args_model=NodeArgs,
            run=uncordon,
            preview=uncordon_preview,
            command=spec("uncordon"),
            kind="node",
            authorize=sar_hook(kube, verb="patch", kind=NODE),
        ),
        Operation(
            name="k8s_drain_node",
            description="Cordon a node and evict its pods.",
            safety=Safety.DESTRUCTIVE,
            args_model=NodeArgs,
            run=drain,
            preview=drain_preview,
            command=spec("drain"),
            kind="node",
            long_running=True,
            timeout_s=600.0,
            authorize=sar_hook(kube, verb="create", kind=POD, subresource="eviction"),
        ),
    ]
