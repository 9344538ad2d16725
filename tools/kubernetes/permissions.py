"""What each Kubernetes operation needs from the API: verbs on resources, in one table.

The table is data, next to the operations and kept apart from their modules:
`needs_for(operation, variant)` answers "which RBAC rules must the acting
identity hold for this call (its preview's dry run included)?". Operations
whose calls depend on an argument (the kind of `!get`, the stack of
`!deploy stack`, the kind of an applied manifest) have one entry per value.
The chart's RBAC profiles are derived from this table (tools/rbac.py), and
`!help` / `chatops check` use it to say what the current credentials cannot
do. This module makes no calls and decides no policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from tools.kubernetes.kinds import APPLY_ONLY, KINDS, ROLLOUT_KINDS, ResourceKind


@dataclasses.dataclass(frozen=True, order=True)
class ApiRule:
    """One RBAC rule: verbs on a resource ("pods/log" for a subresource) of an API group."""

    group: str
    resource: str
    verbs: tuple[str, ...]

    def grants(self) -> frozenset[tuple[str, str, str]]:
        return frozenset((self.group, self.resource, verb) for verb in self.verbs)

    def describe(self) -> str:
        where = f"{self.group}/" if self.group else ""
        return f"{'/'.join(self.verbs)} {where}{self.resource}"


@dataclasses.dataclass(frozen=True)
class Needs:
    """The rules a call needs. `optional` ones add detail when granted (the call works without)."""

    rules: tuple[ApiRule, ...]
    optional: tuple[ApiRule, ...] = ()
    note: str = ""

    def grants(self) -> frozenset[tuple[str, str, str]]:
        return frozenset().union(*(rule.grants() for rule in self.rules))


# Kubernetes grants these to every authenticated user (ClusterRole system:basic-user).
DEFAULT_GRANTED: frozenset[tuple[str, str, str]] = frozenset(
    {
        ("authorization.k8s.io", "selfsubjectaccessreviews", "create"),
        ("authorization.k8s.io", "selfsubjectrulesreviews", "create"),
    }
)
# The gate asks "may the requester's mapped identity do this?" with the bot's own credentials.
GATE = Needs((ApiRule("authorization.k8s.io", "subjectaccessreviews", ("create",)),))


def _r(kind: ResourceKind | str, *verbs: str, sub: str = "") -> ApiRule:
    resolved = KINDS[kind] if isinstance(kind, str) else kind
    return ApiRule(resolved.group, resolved.plural + (f"/{sub}" if sub else ""), verbs)


EVENTS = _r("event", "list")
CONTROLLER_REVISIONS = ApiRule("apps", "controllerrevisions", ("list",))
METRICS_PODS = ApiRule("metrics.k8s.io", "pods", ("list",))
METRICS_NODES = ApiRule("metrics.k8s.io", "nodes", ("list",))


def _apply(kind: ResourceKind) -> Needs:
    # Server-side apply: read the current object, then one PATCH that creates it when absent.
    return Needs((ApiRule(kind.group, kind.plural, ("get", "list", "create", "patch")),))


def _stack(*kinds: str) -> Needs:
    return Needs(
        tuple(ApiRule(KINDS[k].group, KINDS[k].plural, ("get", "list", "create", "patch")) for k in kinds)
    )


def _history(kind: str) -> Needs:
    older = _r("replicaset", "list") if kind == "deployment" else CONTROLLER_REVISIONS
    return Needs((_r(kind, "get"), older))


def _rollback(kind: str) -> Needs:
    older = _r("replicaset", "list") if kind == "deployment" else CONTROLLER_REVISIONS
    return Needs((_r(kind, "get", "update"), older))


_DEPLOYMENT_PATCH = Needs((_r("deployment", "get", "patch"),))

PERMISSIONS: Mapping[str, Needs] = {
    # reads
    "k8s_clusters": Needs((), note="a SelfSubjectAccessReview, which every authenticated user may create"),
    "k8s_access": Needs((), note="a SelfSubjectRulesReview, which every authenticated user may create"),
    "k8s_logs": Needs((_r("pod", "get", "list"), _r("pod", "get", sub="log"))),
    "k8s_health": Needs((_r("node", "list"), _r("pod", "list"))),
    "k8s_resources": Needs((_r("node", "list"), _r("pod", "list"), METRICS_PODS)),
    # deployment and workload changes
    "k8s_restart_deployment": _DEPLOYMENT_PATCH,
    "k8s_pause_deployment": _DEPLOYMENT_PATCH,
    "k8s_resume_deployment": _DEPLOYMENT_PATCH,
    "k8s_scale_deployment": _DEPLOYMENT_PATCH,
    "k8s_set_image": _DEPLOYMENT_PATCH,
    "k8s_rollback_deployment": _rollback("deployment"),
    "k8s_rollback_statefulset": _rollback("statefulset"),
    "k8s_rollback_daemonset": _rollback("daemonset"),
    "k8s_create_deployment": Needs((_r("deployment", "create"),)),
    "k8s_delete_deployment": Needs((_r("deployment", "get", "delete"),)),
    # services, namespaces, pods, nodes
    "k8s_create_service": Needs((_r("service", "create"), _r("deployment", "get"))),
    "k8s_update_service": Needs((_r("service", "get", "update"),)),
    "k8s_delete_service": Needs((_r("service", "get", "delete"),)),
    "k8s_create_namespace": Needs((_r("namespace", "create"),)),
    "k8s_delete_namespace": Needs(
        (
            _r("namespace", "get", "delete"),
            *(
                _r(k, "list")
                for k in ("deployment", "statefulset", "pod", "service", "persistentvolumeclaim")
            ),
            _r("secret", "list"),
        ),
        note="the preview counts what goes with the namespace, Secrets included",
    ),
    "k8s_delete_pod": Needs((_r("pod", "get", "list", "delete"),)),
    "k8s_cordon_node": Needs((_r("node", "get", "patch"),)),
    "k8s_uncordon_node": Needs((_r("node", "get", "patch"),)),
    "k8s_drain_node": Needs(
        (_r("node", "get", "patch"), _r("pod", "list"), _r("pod", "create", sub="eviction"))
    ),
}

# Operations whose calls depend on one argument: operation → argument value → needs.
PERMISSIONS_BY_VARIANT: Mapping[str, Mapping[str, Needs]] = {
    "k8s_get": {name: Needs((_r(name, "list"),)) for name in KINDS},
    "k8s_describe": {name: Needs((_r(name, "get"), EVENTS)) for name in KINDS},
    "k8s_top": {"pod": Needs((METRICS_PODS,)), "node": Needs((METRICS_NODES,))},
    "k8s_diagnose": {
        "pod": Needs((_r("pod", "get"), EVENTS)),
        **{
            kind: Needs(
                (_r(kind, "get"), _r("pod", "list"), _r("pod", "get", sub="log"), EVENTS),
                optional=(_r("configmap", "get"), _r("secret", "get")),
                note="checks that referenced ConfigMaps and Secrets exist when it may read them",
            )
            for kind in ("deployment", "statefulset")
        },
        "node": Needs((_r("node", "get"),)),
    },
    "k8s_rollout_status": {kind: Needs((_r(kind, "get"),)) for kind in ROLLOUT_KINDS},
    "k8s_rollout_history": {kind: _history(kind) for kind in ROLLOUT_KINDS},
    "k8s_apply": {k.kind: _apply(k) for k in (*KINDS.values(), *APPLY_ONLY.values())},
    "k8s_deploy_stack": {
        "nginx": _stack("deployment", "service"),
        "redis": _stack("deployment", "service"),
        "postgres": _stack("secret", "statefulset", "service"),
    },
}


def operations() -> frozenset[str]:
    return frozenset(PERMISSIONS) | frozenset(PERMISSIONS_BY_VARIANT)


def variants(operation: str) -> tuple[str, ...]:
    return tuple(PERMISSIONS_BY_VARIANT.get(operation, {}))


def needs_for(operation: str, variant: str | None = None) -> Needs | None:
    """The needs of one call, or None when the operation (or the variant) is not in the table."""
    if operation in PERMISSIONS:
        return PERMISSIONS[operation]
    by_variant = PERMISSIONS_BY_VARIANT.get(operation)
    if by_variant is None:
        return None
    if variant is None:
        merged: Iterable[Needs] = by_variant.values()
        return Needs(tuple(sorted({rule for needs in merged for rule in needs.rules})))
    return by_variant.get(variant)
