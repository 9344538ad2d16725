"""Each RBAC profile, rendered by the real helm, grants every rule its claimed operations need
and nothing else; Helm's release Secrets only through Roles in the named namespaces."""

from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.charts import Grant, Helm, granted
from tools.kubernetes.permissions import DEFAULT_GRANTED
from tools.rbac import PROFILES, UNCLAIMED, Profile, needs_of

HELM_NAMESPACES = ["apps", "web"]


def _values(*profiles: str) -> dict[str, Any]:
    return {"rbac": {"profiles": list(profiles), "helm": {"namespaces": HELM_NAMESPACES}}}


def _needed(profile: Profile) -> set[Grant]:
    return {g for claim in profile.claims for g in needs_of(claim).grants()} | {
        g for needs in profile.extra for g in needs.grants()
    }


@pytest.mark.parametrize("name", list(PROFILES))
async def test_profile_allows_every_claimed_operation_and_grants_nothing_else(helm: Helm, name: str) -> None:
    profile = PROFILES[name]
    grants = granted(await helm.render(_values(name)))
    readonly = PROFILES["readonly"]
    cluster = grants.pop(None)
    expected_cluster = _needed(readonly) | (_needed(profile) if profile.scope == "cluster" else set())
    for claim in (*readonly.claims, *(profile.claims if profile.scope == "cluster" else ())):
        missing = needs_of(claim).grants() - cluster - DEFAULT_GRANTED
        assert not missing, (claim.label(), missing)
    assert cluster == expected_cluster, (cluster - expected_cluster, expected_cluster - cluster)
    if profile.scope == "namespaces":
        assert set(grants) == set(HELM_NAMESPACES)
        for namespace, namespaced in grants.items():
            for claim in profile.claims:
                assert needs_of(claim).grants() <= namespaced, (namespace, claim.label())
            assert namespaced == _needed(profile), namespace
    else:
        assert grants == {}, "a cluster-wide profile rendered namespaced Roles"


@pytest.mark.parametrize("name", list(PROFILES))
async def test_no_cluster_role_names_secrets_or_a_wildcard(helm: Helm, name: str) -> None:
    manifests = await helm.render(_values(name))
    for manifest in manifests:
        if manifest["kind"] not in ("Role", "ClusterRole"):
            continue
        for rule in manifest["rules"]:
            for field in ("verbs", "resources", "apiGroups", "resourceNames"):
                assert not any("*" in item for item in rule.get(field, [])), rule
            if "secrets" in rule["resources"]:
                assert manifest["kind"] == "Role" and manifest["metadata"]["name"].endswith("-helm"), manifest


async def test_unclaimed_operations_are_granted_by_no_profile(helm: Helm) -> None:
    everything = granted(await helm.render(_values(*PROFILES)))
    cluster = everything[None]
    for claim in UNCLAIMED:
        assert not needs_of(claim).grants() <= cluster | DEFAULT_GRANTED, claim.label()


async def test_helm_profile_without_namespaces_is_refused_with_a_sentence(helm: Helm) -> None:
    result = await helm.template_run({"rbac": {"profiles": ["helm"]}})
    assert result.returncode != 0
    assert "rbac.helm.namespaces is empty" in result.stderr


async def test_an_unknown_profile_is_refused_by_the_schema(helm: Helm) -> None:
    result = await helm.template_run({"rbac": {"profiles": ["cluster-admin"]}})
    assert result.returncode != 0 and "/rbac/profiles/0" in result.stderr
