"""Every profile's render passes the Kubernetes OpenAPI schemas (offline, strict: no unknown
fields) for the oldest and newest supported Kubernetes minor versions, and `helm lint --strict`."""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest

from tests.deploy.charts import Helm
from tools.rbac import PROFILES

KUBERNETES_VERSIONS = ("1.28.0", "1.33.0")
EVERYTHING_ON: dict[str, Any] = {
    "replicaCount": 2,
    "rbac": {
        "profiles": list(PROFILES),
        "helm": {"namespaces": ["apps", "web"]},
        "extraRules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create"]}],
        "impersonation": {
            "enabled": True,
            "users": ["alice@example.com"],
            "groups": ["sre"],
            "grants": [
                {"profile": "operator", "groups": ["sre"]},
                {"profile": "helm", "users": ["alice@example.com"]},
            ],
        },
    },
    "ingress": {"enabled": True, "host": "chatops.example.com", "tlsSecretName": "chatops-tls"},
    "config": {
        "server": {"host": "0.0.0.0", "port": 8080, "leader_election": "kubernetes"},
        "slack": {"enabled": True, "mode": "http"},
    },
}
VALUE_SETS: dict[str, dict[str, Any]] = {
    **{name: {"rbac": {"profiles": [name], "helm": {"namespaces": ["apps"]}}} for name in PROFILES},
    "everything": EVERYTHING_ON,
}


@pytest.mark.parametrize("values", VALUE_SETS.values(), ids=VALUE_SETS.keys())
async def test_rendered_manifests_match_the_kubernetes_schemas(helm: Helm, values: dict[str, Any]) -> None:
    manifests = await helm.render(values)
    kinds = {m["kind"] for m in manifests}
    assert {"Deployment", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap"} <= kinds
    for manifest in manifests:
        for version in KUBERNETES_VERSIONS:
            try:
                kubernetes_validate.validate(manifest, version, strict=True)
            except kubernetes_validate.ValidationError as e:
                pytest.fail(f"{manifest['kind']}/{manifest['metadata']['name']} (k8s {version}): {e.message}")


async def test_a_broken_manifest_is_caught_by_the_validator() -> None:
    bad = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "x"},
        "rules": [{"apiGroups": [""], "resource": ["pods"], "verbs": ["get"]}],  # "resource": a typo
    }
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, KUBERNETES_VERSIONS[-1], strict=True)


@pytest.mark.parametrize("values", VALUE_SETS.values(), ids=VALUE_SETS.keys())
async def test_helm_lint_strict_passes(helm: Helm, values: dict[str, Any]) -> None:
    result = await helm.lint(values)
    assert result.returncode == 0, result.stdout + result.stderr
