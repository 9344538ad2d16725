"""RBAC profiles for the bot's own identity, derived from the operations' permission tables.

A profile claims operations (some with one argument value, e.g. `k8s_get`
of `pod`); its rules are exactly the union of what those claims need
(tools/kubernetes/permissions.py, tools/helm/permissions.py), so a profile
never grants what no claimed operation uses. `readonly`, `operator` and
`admin-apply` are ClusterRoles; `helm` is a Role in each namespace you name,
because Helm's release storage is Secrets. `deploy/rbac_profiles.py` writes
these rules into the chart; nothing here talks to a cluster.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Literal

from tools.helm import permissions as helm_permissions
from tools.kubernetes import permissions as kube
from tools.kubernetes.permissions import GATE, ApiRule, Needs

Grant = tuple[str, str, str]  # (API group, resource, verb)


@dataclasses.dataclass(frozen=True, order=True)
class Claim:
    operation: str
    variant: str | None = None

    def label(self) -> str:
        return f"{self.operation} {self.variant}" if self.variant else self.operation


@dataclasses.dataclass(frozen=True)
class Profile:
    name: str
    scope: Literal["cluster", "namespaces"]
    claims: tuple[Claim, ...]
    description: str
    extra: tuple[Needs, ...] = ()  # needs of the bot itself (the gate's reviews), not of one operation

    def grants(self) -> frozenset[Grant]:
        needs = [needs_of(claim) for claim in self.claims]
        return frozenset().union(*(n.grants() for n in (*needs, *self.extra)))

    def rules(self) -> list[ApiRule]:
        """One rule per (group, resource), verbs sorted: the exact grants, nothing more."""
        by_resource: dict[tuple[str, str], set[str]] = {}
        for group, resource, verb in self.grants():
            by_resource.setdefault((group, resource), set()).add(verb)
        return [ApiRule(g, r, tuple(sorted(v))) for (g, r), v in sorted(by_resource.items())]


def needs_of(claim: Claim) -> Needs:
    found = kube.needs_for(claim.operation, claim.variant) or (
        helm_permissions.PERMISSIONS.get(claim.operation) if claim.variant is None else None
    )
    if found is None:
        raise KeyError(f"no permissions entry for {claim.label()}")
    return found


def _claims(operations: Iterable[str]) -> tuple[Claim, ...]:
    claims: list[Claim] = []
    for operation in operations:
        variants = kube.variants(operation)
        claims += [Claim(operation, v) for v in variants] if variants else [Claim(operation)]
    return tuple(claims)


def _except(claims: Iterable[Claim], *left_out: Claim) -> tuple[Claim, ...]:
    return tuple(c for c in claims if c not in left_out)


READ_OPERATIONS = (
    "k8s_get",
    "k8s_describe",
    "k8s_clusters",
    "k8s_access",
    "k8s_logs",
    "k8s_health",
    "k8s_top",
    "k8s_resources",
    "k8s_diagnose",
    "k8s_rollout_status",
    "k8s_rollout_history",
)
OPERATOR_OPERATIONS = (
    "k8s_restart_deployment",
    "k8s_pause_deployment",
    "k8s_resume_deployment",
    "k8s_scale_deployment",
    "k8s_set_image",
    "k8s_rollback_deployment",
    "k8s_rollback_statefulset",
    "k8s_rollback_daemonset",
    "k8s_create_deployment",
    "k8s_delete_deployment",
    "k8s_create_service",
    "k8s_update_service",
    "k8s_delete_service",
    "k8s_create_namespace",
    "k8s_delete_pod",
    "k8s_cordon_node",
    "k8s_uncordon_node",
    "k8s_drain_node",
)
HELM_OPERATIONS = tuple(name for name, needs in helm_permissions.PERMISSIONS.items() if needs.rules)

# Not claimed by any profile, on purpose (each needs Secret access cluster-wide):
# `k8s_get secret`, `k8s_describe secret`, `k8s_apply Secret`, `k8s_deploy_stack postgres`,
# and `k8s_delete_namespace` (its preview counts the namespace's Secrets).
UNCLAIMED = (
    Claim("k8s_get", "secret"),
    Claim("k8s_describe", "secret"),
    Claim("k8s_apply", "Secret"),
    Claim("k8s_deploy_stack", "postgres"),
    Claim("k8s_delete_namespace"),
)

PROFILES: Mapping[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "readonly",
            "cluster",
            _except(_claims(READ_OPERATIONS), *UNCLAIMED),
            "every read except Secrets, and SubjectAccessReviews for the gate's identity checks",
            extra=(GATE,),
        ),
        Profile(
            "operator",
            "cluster",
            _claims(OPERATOR_OPERATIONS),
            "the write operations: restart, scale, set image, rollbacks, create/delete deployments, "
            "services and pods, create namespaces, cordon/drain nodes",
        ),
        Profile(
            "admin-apply",
            "cluster",
            _except(_claims(("k8s_apply", "k8s_deploy_stack")), *UNCLAIMED),
            "apply of the allow-listed kinds (Secrets excepted) and the nginx/redis stacks",
        ),
        Profile(
            "helm",
            "namespaces",
            _claims(HELM_OPERATIONS),
            "Helm's release Secrets, in the named namespaces only",
        ),
    )
}


def profile_document() -> dict[str, object]:
    """The profiles as the chart reads them (deploy/chatops/files/rbac-profiles.yaml)."""
    return {
        name: {
            "scope": profile.scope,
            "description": profile.description,
            "operations": sorted({c.label() for c in profile.claims}),
            "rules": [
                {"apiGroups": [r.group], "resources": [r.resource], "verbs": list(r.verbs)}
                for r in profile.rules()
            ],
        }
        for name, profile in PROFILES.items()
    }


def every_claim() -> tuple[tuple[Claim, Needs], ...]:
    """Every operation (and argument value) that calls the Kubernetes API, with its needs."""
    kube_claims = _claims(sorted(kube.operations()))
    helm_claims = tuple(Claim(name) for name in sorted(HELM_OPERATIONS))
    return tuple((claim, needs_of(claim)) for claim in (*kube_claims, *helm_claims) if needs_of(claim).rules)
