"""Helm values and charts that look harmless: judged by the objects they render, not by `upgrade`.

Each case diffs a release's current manifest against the rendered one (as the upgrade,
install, rollback and uninstall previews do), then judges the effect with the gate's own
rules and asks the policy, for every object touched, as a viewer, an operator and an admin.
"""

from __future__ import annotations

import dataclasses

import pytest

from bot.domain.models import Principal
from bot.gate.effect_gate import judge, targets
from bot.gate.policy import Policy, Verdict
from bot.settings.policy_settings import PolicySettings
from tools.base import Safety, Target
from tools.effects import describe_effects
from tools.helm.effects import release_effects

POLICY = Policy(
    PolicySettings.model_validate(
        {
            "roles": {
                "admin": {"members": ["slack:user:UADM"]},
                "operator": {"members": ["slack:user:UOPS"]},
            },
            "rules": [{"safety": "destructive", "namespace": "kube-*", "decision": "deny"}],
        }
    )
)
ROLES = {
    "viewer": Principal("slack", "UVIEW", "V"),
    "operator": Principal("slack", "UOPS", "O"),
    "admin": Principal("slack", "UADM", "A"),
}


def deployment(*, replicas: int = 2, pod: str = "", name: str = "web", namespace: str = "") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    extra = "".join(f"\n      {line}" for line in pod.splitlines())
    return (
        f"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}{ns}\nspec:\n  replicas: {replicas}\n"
        f"  template:\n    spec:{extra}\n      containers:\n      - name: app\n        image: nginx:1.25\n"
    )


def obj(kind: str, name: str, api: str = "v1", body: str = "") -> str:
    return f"---\napiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n{body}"


BASE = deployment() + obj("ConfigMap", "web-config", body="data: {a: b}\n")
PRIVILEGED = deployment().replace(
    "image: nginx:1.25\n", "image: nginx:1.25\n        securityContext: {privileged: true}\n"
)


@dataclasses.dataclass(frozen=True)
class Case:
    id: str
    before: str | None
    after: str | None
    safety: Safety
    rules: tuple[str, ...] = ()
    operator: str = "refused"
    admin: str = "filed"
    declared: Safety = Safety.WRITE


CASES = [
    Case(
        "values-replicas-zero",
        BASE,
        deployment(replicas=0) + obj("ConfigMap", "web-config", body="data: {a: b}\n"),
        Safety.DESTRUCTIVE,
        ("replicas-to-zero",),
    ),
    Case("upgrade-drops-a-configmap", BASE, deployment(), Safety.DESTRUCTIVE, ("deletes",)),
    Case(
        "upgrade-drops-a-pvc",
        BASE + obj("PersistentVolumeClaim", "data"),
        BASE,
        Safety.DESTRUCTIVE,
        ("deletes-with-content",),
    ),
    Case(
        "chart-adds-clusterrole",
        BASE,
        BASE
        + obj(
            "ClusterRole",
            "web-admin",
            "rbac.authorization.k8s.io/v1",
            "rules: [{apiGroups: ['*'], resources: ['*'], verbs: ['*']}]\n",
        ),
        Safety.DESTRUCTIVE,
        ("rbac",),
    ),
    Case(
        "chart-adds-binding",
        BASE,
        BASE + obj("ClusterRoleBinding", "web-admin", "rbac.authorization.k8s.io/v1"),
        Safety.DESTRUCTIVE,
        ("rbac",),
    ),
    Case(
        "chart-adds-role",
        BASE,
        BASE + obj("Role", "web", "rbac.authorization.k8s.io/v1"),
        Safety.DESTRUCTIVE,
        ("rbac",),
    ),
    Case(
        "chart-adds-webhook",
        BASE,
        BASE + obj("MutatingWebhookConfiguration", "inject", "admissionregistration.k8s.io/v1"),
        Safety.DESTRUCTIVE,
        ("admission",),
    ),
    Case(
        "chart-adds-crd",
        BASE,
        BASE + obj("CustomResourceDefinition", "widgets.example.com", "apiextensions.k8s.io/v1"),
        Safety.DESTRUCTIVE,
        ("crd",),
    ),
    Case(
        "values-privileged",
        BASE,
        PRIVILEGED + obj("ConfigMap", "web-config", body="data: {a: b}\n"),
        Safety.DESTRUCTIVE,
        ("privileged",),
    ),
    Case(
        "values-host-network",
        BASE,
        deployment(pod="hostNetwork: true") + obj("ConfigMap", "web-config", body="data: {a: b}\n"),
        Safety.DESTRUCTIVE,
        ("host-namespaces",),
    ),
    Case(
        "values-host-path",
        BASE,
        deployment(pod="volumes: [{name: h, hostPath: {path: /etc}}]")
        + obj("ConfigMap", "web-config", body="data: {a: b}\n"),
        Safety.DESTRUCTIVE,
        ("host-path",),
    ),
    Case(
        "values-service-account",
        BASE,
        deployment(pod="serviceAccountName: deployer")
        + obj("ConfigMap", "web-config", body="data: {a: b}\n"),
        Safety.DESTRUCTIVE,
        ("service-account",),
    ),
    Case(
        "chart-adds-service-account",
        BASE,
        BASE + obj("ServiceAccount", "web"),
        Safety.DESTRUCTIVE,
        ("service-account",),
    ),
    Case(
        "values-image-tag-only",
        BASE,
        BASE.replace("nginx:1.25", "nginx:1.27"),
        Safety.WRITE,
        (),
        operator="filed",
    ),
    Case("uninstall", BASE, None, Safety.DESTRUCTIVE, ("deletes",), declared=Safety.DESTRUCTIVE),
    Case(
        "install-privileged-into-kube-system",
        None,
        PRIVILEGED.replace("name: web", "name: web\n  namespace: kube-system"),
        Safety.DESTRUCTIVE,
        ("privileged",),
        admin="refused",
    ),
    Case(
        "rollback-to-zero-replicas",
        BASE,
        deployment(replicas=0) + obj("ConfigMap", "web-config", body="data: {a: b}\n"),
        Safety.DESTRUCTIVE,
        ("replicas-to-zero",),
    ),
]


def outcome(principal: Principal, declared: Safety, effects: list) -> str:
    judgement = judge(declared, effects)
    for target in targets(Target("dev", "apps"), effects):
        decision = POLICY.decide(principal=principal, channel="C1", safety=judgement.safety, target=target)
        if decision.verdict is Verdict.DENY:
            return "refused"
    return "filed"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_a_helm_change_is_judged_by_what_it_renders(case: Case) -> None:
    effects = release_effects(case.before, case.after, namespace="apps")
    judgement = judge(case.declared, effects)
    assert judgement.safety is case.safety
    assert {f.rule.name for f in judgement.findings} == set(case.rules)
    header = judgement.card_header()
    for finding in judgement.flags:
        assert f"RISK (admin only): {finding.line()}" in header
    assert describe_effects(effects)  # the diff the card shows below the header
    assert outcome(ROLES["viewer"], case.declared, effects) == "refused"
    assert outcome(ROLES["operator"], case.declared, effects) == case.operator
    assert outcome(ROLES["admin"], case.declared, effects) == case.admin
