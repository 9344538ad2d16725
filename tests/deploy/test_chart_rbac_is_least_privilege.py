"""The chart's RBAC: read-only by default, no Secrets, no wildcards, opt-in profiles
and impersonation limited to the listed names. (Each profile's rules, rule by rule:
test_chart_rbac_profiles_grant_exactly_what_their_operations_need.py.)"""

from __future__ import annotations

from typing import Any

import pytest

from tests.deploy.charts import Helm, named, rules

USERS = ["alice@example.com", "bob@example.com"]
GROUPS = ["sre"]
WRITE = {"rbac": {"profiles": ["operator", "admin-apply"]}}
IMPERSONATION = {"rbac": {"impersonation": {"enabled": True, "users": USERS, "groups": GROUPS}}}
EVERYTHING = {
    "rbac": {"profiles": ["operator", "admin-apply"], "impersonation": IMPERSONATION["rbac"]["impersonation"]}
}
VALUE_SETS = {"defaults": {}, "write": WRITE, "impersonation": IMPERSONATION, "everything": EVERYTHING}


def _mentions_secrets(rule: dict[str, Any]) -> bool:
    return any(r == "secrets" or r.startswith("secrets/") for r in rule.get("resources", []))


@pytest.mark.parametrize("values", VALUE_SETS.values(), ids=VALUE_SETS.keys())
async def test_no_rule_uses_a_wildcard(helm: Helm, values: dict[str, Any]) -> None:
    found = list(rules(await helm.render(values)))
    assert found
    for role, rule in found:
        for field in ("verbs", "resources", "apiGroups", "resourceNames"):
            assert not any("*" in item for item in rule.get(field, [])), (role, rule)


@pytest.mark.parametrize("values", VALUE_SETS.values(), ids=VALUE_SETS.keys())
async def test_no_role_grants_access_to_secrets(helm: Helm, values: dict[str, Any]) -> None:
    for role, rule in rules(await helm.render(values)):
        assert not _mentions_secrets(rule), (role, rule)


async def test_default_role_reads_what_the_bot_reads_and_writes_nothing(helm: Helm) -> None:
    manifests = await helm.render()
    read = named(manifests, "ClusterRole", "-readonly")
    assert read is not None
    granted = {
        (group, resource, verb)
        for rule in read["rules"]
        for group in rule["apiGroups"]
        for resource in rule["resources"]
        for verb in rule["verbs"]
    }
    expected_lists = {
        ("", "pods"),
        ("apps", "deployments"),
        ("apps", "replicasets"),
        ("apps", "statefulsets"),
        ("apps", "daemonsets"),
        ("batch", "jobs"),
        ("batch", "cronjobs"),
        ("", "services"),
        ("networking.k8s.io", "ingresses"),
        ("", "nodes"),
        ("", "namespaces"),
        ("", "events"),
        ("", "configmaps"),
        ("", "persistentvolumeclaims"),
        ("metrics.k8s.io", "pods"),
        ("metrics.k8s.io", "nodes"),
    }
    for group, resource in expected_lists:
        assert (group, resource, "list") in granted
    assert ("", "pods/log", "get") in granted
    assert ("authorization.k8s.io", "subjectaccessreviews", "create") in granted
    writes = {v for _, _, v in granted} - {"get", "list"}
    assert writes == {"create"}
    assert {(g, r) for g, r, v in granted if v == "create"} == {
        ("authorization.k8s.io", "subjectaccessreviews")
    }
    assert [name for name, _ in rules(manifests) if not name.endswith("-readonly")] == []


async def test_write_profiles_are_rendered_only_when_chosen(helm: Helm) -> None:
    assert named(await helm.render(), "ClusterRole", "-operator") is None
    assert named(await helm.render(), "ClusterRoleBinding", "-operator") is None
    manifests = await helm.render(WRITE)
    write = named(manifests, "ClusterRole", "-operator")
    binding = named(manifests, "ClusterRoleBinding", "-operator")
    assert write is not None and binding is not None
    granted = {(r, v) for rule in write["rules"] for r in rule["resources"] for v in rule["verbs"]}
    assert {("deployments", "patch"), ("deployments", "create"), ("pods/eviction", "create")} <= granted
    assert binding["roleRef"]["name"] == write["metadata"]["name"]
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "bot-chatops", "namespace": "ops"}]


async def test_extra_rules_are_rendered_but_the_schema_refuses_secrets_and_wildcards(helm: Helm) -> None:
    extra = {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["create"]}
    manifests = await helm.render({"rbac": {"extraRules": [extra]}})
    role = named(manifests, "ClusterRole", "-extra")
    assert role is not None and extra in role["rules"]
    for bad in (
        {**extra, "resources": ["secrets"]},
        {**extra, "verbs": ["*"]},
        {**extra, "apiGroups": ["*"]},
    ):
        result = await helm.template_run({"rbac": {"extraRules": [bad]}})
        assert result.returncode != 0
        assert "extraRules" in result.stderr


@pytest.mark.parametrize("values", VALUE_SETS.values(), ids=VALUE_SETS.keys())
async def test_impersonation_appears_only_when_enabled_and_only_for_the_listed_names(
    helm: Helm, values: dict[str, Any]
) -> None:
    manifests = await helm.render(values)
    impersonating = [(role, rule) for role, rule in rules(manifests) if "impersonate" in rule["verbs"]]
    enabled = values.get("rbac", {}).get("impersonation", {}).get("enabled", False)
    if not enabled:
        assert impersonating == []
        assert named(manifests, "ClusterRoleBinding", "-impersonate") is None
        return
    by_resource = {}
    for role, rule in impersonating:
        assert role.endswith("-impersonate")
        assert rule["verbs"] == ["impersonate"]
        assert rule.get("resourceNames"), rule
        (resource,) = rule["resources"]
        by_resource[resource] = rule["resourceNames"]
    assert by_resource == {"users": USERS, "groups": GROUPS}


@pytest.mark.parametrize(
    "impersonation",
    [
        {"enabled": True, "users": [], "groups": []},
        {"enabled": False, "users": USERS, "groups": GROUPS},
    ],
    ids=["enabled-with-empty-lists", "disabled-with-names"],
)
async def test_impersonation_renders_nothing_without_both_the_switch_and_names(
    helm: Helm, impersonation: dict[str, Any]
) -> None:
    manifests = await helm.render({"rbac": {"impersonation": impersonation}})
    assert named(manifests, "ClusterRole", "-impersonate") is None
    assert named(manifests, "ClusterRoleBinding", "-impersonate") is None


async def test_impersonation_of_users_only_has_no_group_rule(helm: Helm) -> None:
    manifests = await helm.render({"rbac": {"impersonation": {"enabled": True, "users": USERS}}})
    role = named(manifests, "ClusterRole", "-impersonate")
    assert role is not None
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"], "resourceNames": USERS}
    ]


async def test_schema_refuses_a_wildcard_impersonation_name(helm: Helm) -> None:
    result = await helm.template_run({"rbac": {"impersonation": {"enabled": True, "users": ["*"]}}})
    assert result.returncode != 0
    assert "/rbac/impersonation/users/0" in result.stderr
