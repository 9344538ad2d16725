"""Profile × operation matrix: the chart's rendered roles decide every request of the fake API
(RBAC mode). An operation the profile claims succeeds; any other is refused with the sentence
naming the permission; `!access` (k8s_access) predicts exactly which ones, before anyone tries."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import pytest
from kubernetes.client import ApiClient, AppsV1Api

from tests.deploy.charts import Helm
from tests.fake_k8s.server import FakeKubernetes
from tools.base import Operation, RunContext, Status
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.permissions import DEFAULT_GRANTED
from tools.rbac import PROFILES, Claim, every_claim, needs_of

SERVICE_ACCOUNT = "ops:bot-chatops"
MANIFEST = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-settings}\ndata: {MODE: blue}\n"


@dataclasses.dataclass(frozen=True)
class Call:
    operation: str
    args: dict[str, Any]
    variant: str | None = None
    succeeds_when_allowed: bool = True  # False: the fake's data makes it fail for another reason

    @property
    def claim(self) -> Claim:
        return Claim(self.operation, self.variant)


def _calls(web_pod: str) -> list[Call]:
    kinds = [
        "pod",
        "deployment",
        "replicaset",
        "statefulset",
        "daemonset",
        "job",
        "cronjob",
        "service",
        "ingress",
        "node",
        "namespace",
        "event",
        "configmap",
        "persistentvolumeclaim",
        "secret",
    ]
    prod = {"namespace": "prod"}
    return [
        *(Call("k8s_get", {"kind": k, **prod}, k) for k in kinds),
        Call("k8s_describe", {"kind": "deployment", "name": "web", **prod}, "deployment"),
        Call("k8s_describe", {"kind": "secret", "name": "db-credentials", **prod}, "secret"),
        Call("k8s_clusters", {}),
        Call("k8s_logs", {"name": web_pod, **prod}),
        Call("k8s_health", {}),
        Call("k8s_top", {"kind": "pod", **prod}, "pod"),
        Call("k8s_top", {"kind": "node"}, "node"),
        Call("k8s_resources", prod),
        Call("k8s_diagnose", {"kind": "deployment", "name": "api", **prod}, "deployment"),
        Call("k8s_diagnose", {"kind": "pod", "name": "analytics-pending", **prod}, "pod"),
        Call("k8s_diagnose", {"kind": "statefulset", "name": "redis", **prod}, "statefulset"),
        Call("k8s_diagnose", {"kind": "node", "name": "node-2"}, "node"),
        Call("k8s_rollout_status", {"name": "web", **prod}, "deployment"),
        Call("k8s_rollout_history", {"kind": "statefulset", "name": "redis", **prod}, "statefulset"),
        Call("k8s_restart_deployment", {"name": "web", **prod}),
        Call("k8s_pause_deployment", {"name": "web", **prod}),
        Call("k8s_resume_deployment", {"name": "web", **prod}),
        Call("k8s_scale_deployment", {"name": "web", "replicas": 3, **prod}),
        Call("k8s_set_image", {"name": "web", "image": "nginx:1.27", **prod}),
        Call("k8s_rollback_deployment", {"name": "web", **prod}),
        Call("k8s_rollback_statefulset", {"name": "redis", **prod}),
        Call("k8s_create_deployment", {"name": "newapp", "image": "nginx:1.27", **prod}),
        Call("k8s_create_service", {"name": "newsvc", "port": 80, "deployment": "web", **prod}),
        Call("k8s_update_service", {"name": "web", "port": 81, **prod}),
        Call("k8s_create_namespace", {"name": "newns"}),
        Call("k8s_cordon_node", {"name": "node-1"}),
        Call("k8s_uncordon_node", {"name": "node-1"}),
        Call("k8s_apply", {"manifest": MANIFEST, **prod}, "ConfigMap"),
        Call("k8s_deploy_stack", {"stack": "redis", "name": "cache", **prod}, "redis"),
        Call("k8s_deploy_stack", {"stack": "postgres", "name": "db", **prod}, "postgres"),
        Call("k8s_delete_service", {"name": "oldsvc", **prod}),
        Call("k8s_delete_deployment", {"name": "old", **prod}),
        Call("k8s_delete_pod", {"name": "batch-oom", **prod}),
        Call("k8s_drain_node", {"name": "node-1"}),
        Call("k8s_delete_namespace", {"name": "oldns"}),
    ]


SETUP = [
    Call("k8s_set_image", {"name": "web", "image": "nginx:1.26", "namespace": "prod"}),
    Call("k8s_create_deployment", {"name": "old", "image": "nginx:1.27", "namespace": "prod"}),
    Call("k8s_create_service", {"name": "oldsvc", "port": 80, "deployment": "web", "namespace": "prod"}),
    Call("k8s_create_namespace", {"name": "oldns"}),
]


async def _attempt(op: Operation, call: Call) -> tuple[bool, str]:
    """(ok, text) of preview-then-run, as the executor would do it."""
    args = op.parse_args(call.args)
    binding: dict[str, str] = {}
    if op.preview is not None:
        shown = await op.preview(
            args, RunContext(request_id="t", binding={}, identity=None, budget_tokens=2000)
        )
        if not shown.ok:
            return False, shown.text
        binding = dict(shown.binding)
    result = await op.run(
        args, RunContext(request_id="t", binding=binding, identity=None, budget_tokens=2000)
    )
    return result.status in (Status.OK, Status.NO_DATA), result.text


def _allowed(profile: str) -> set[Claim]:
    """What the profile's grants permit: its claims, and whatever else those same rules cover
    (admin-apply's `patch deployments` also lets a restart through)."""
    grants = PROFILES["readonly"].grants() | PROFILES[profile].grants() | DEFAULT_GRANTED
    allowed = {claim for claim, needs in every_claim() if needs.grants() <= grants}
    assert all(needs_of(claim).grants() <= grants for claim in PROFILES[profile].claims)
    return allowed | {Claim(c.operation, c.variant) for c in PROFILES["readonly"].claims}


@pytest.mark.parametrize("profile", [p for p in PROFILES if p != "helm"])
async def test_claimed_operations_succeed_and_others_name_the_missing_permission(
    helm: Helm,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
    fake_api_client: ApiClient,
    profile: str,
) -> None:
    ops = {op.name: op for op in kubernetes_operations(clusters=fake_cluster_set, request_timeout_s=5.0)}
    for setup in SETUP:  # as the cluster's admin: history to roll back to, objects to delete
        ok, text = await _attempt(ops[setup.operation], setup)
        assert ok, text
    body = {"spec": {"template": {"spec": {"containers": [{"name": "redis", "image": "redis:6.0"}]}}}}
    await asyncio.to_thread(AppsV1Api(fake_api_client).patch_namespaced_stateful_set, "redis", "prod", body)
    manifests = await helm.render({"rbac": {"profiles": [profile]}})
    fake_k8s.access.use_rbac(manifests, service_account=SERVICE_ACCOUNT)
    web_pod = next(
        o["metadata"]["name"]
        for o in fake_k8s.objects("Pod", "prod")
        if o["metadata"]["name"].startswith("web-")
    )
    allowed = _allowed(profile)
    problems, refused = [], 0
    for call in _calls(web_pod):
        ok, text = await _attempt(ops[call.operation], call)
        if call.claim in allowed:
            if "403" in text or (call.succeeds_when_allowed and not ok):
                problems.append(f"{call.claim.label()} should work with {profile}: {text[:300]}")
            continue
        refused += 1
        missing = needs_of(call.claim).grants() - DEFAULT_GRANTED
        named = any(
            f"may not {verb} {resource}" in text or f'cannot {verb} resource "{resource}"' in text
            for _, resource, verb in missing
        )
        if ok or ("403" not in text and "forbidden" not in text) or not named:
            problems.append(f"{call.claim.label()} should be refused naming {sorted(missing)}: {text[:300]}")
    assert not problems, "\n".join(problems)
    assert refused >= {"readonly": 20, "operator": 4, "admin-apply": 3}[profile]  # refusals were exercised


@pytest.mark.parametrize("profile", list(PROFILES))
async def test_access_predicts_exactly_what_the_profile_leaves_out(
    helm: Helm, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet, profile: str
) -> None:
    manifests = await helm.render({"rbac": {"profiles": [profile], "helm": {"namespaces": ["prod"]}}})
    fake_k8s.access.use_rbac(manifests, service_account=SERVICE_ACCOUNT)
    (access,) = [o for o in kubernetes_operations(clusters=fake_cluster_set) if o.name == "k8s_access"]
    result = await access.run(
        access.parse_args({"namespace": "prod"}),
        RunContext(request_id="t", binding={}, identity=None, budget_tokens=20000),
    )
    assert result.status is Status.OK, result.text
    assert result.table is not None
    refused = {row[0] for row in result.table.rows}
    grants = PROFILES["readonly"].grants() | PROFILES[profile].grants() | DEFAULT_GRANTED
    expected = {claim.label() for claim, needs in every_claim() if not needs.grants() <= grants}
    assert not expected & {c.label() for c in PROFILES[profile].claims}
    assert refused == expected, (refused - expected, expected - refused)
    assert "cannot perform" in result.text and "prod" in result.text
