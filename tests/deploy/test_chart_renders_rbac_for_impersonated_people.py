"""The recommended mode, end to end in the chart: the bot stays readonly and may impersonate only
the listed people, and `rbac.impersonation.grants` renders their own RBAC from the profiles."""

from __future__ import annotations

from typing import Any

from tests.deploy.charts import Helm, granted
from tests.fake_k8s.rbac import Rbac
from tools.kubernetes.permissions import DEFAULT_GRANTED
from tools.rbac import PROFILES

VALUES: dict[str, Any] = {
    "rbac": {
        "helm": {"namespaces": ["apps"]},
        "impersonation": {
            "enabled": True,
            "users": ["alice@example.com", "bob@example.com"],
            "groups": ["sre"],
            "grants": [
                {"profile": "readonly", "groups": ["sre"]},
                {"profile": "operator", "groups": ["sre"]},
                {"profile": "helm", "users": ["alice@example.com"]},
            ],
        },
    }
}


def _allows(rbac: Rbac, grant: tuple[str, str, str], *, user: str, groups: list[str], namespace: str) -> bool:
    group, resource, verb = grant
    return rbac.allows(
        user=user, groups=groups, verb=verb, group=group, resource=resource, namespace=namespace, name=""
    )


async def test_people_get_their_profiles_and_the_bot_only_reads_and_impersonates(helm: Helm) -> None:
    manifests = await helm.render(VALUES)
    rbac = Rbac.from_manifests(manifests)
    operator = PROFILES["operator"].grants() | PROFILES["readonly"].grants()
    for grant in operator - DEFAULT_GRANTED:
        assert _allows(rbac, grant, user="bob@example.com", groups=["sre"], namespace="prod"), grant
        assert not _allows(rbac, grant, user="carol", groups=[], namespace="prod"), grant  # not mapped
    for grant in PROFILES["helm"].grants():
        assert _allows(rbac, grant, user="alice@example.com", groups=[], namespace="apps"), grant
        assert not _allows(rbac, grant, user="alice@example.com", groups=[], namespace="prod"), grant
        assert not _allows(rbac, grant, user="bob@example.com", groups=["sre"], namespace="apps"), grant
    bot = granted(manifests)
    assert set(bot) == {None} and bot[None] == PROFILES["readonly"].grants()
    sa = "system:serviceaccount:ops:bot-chatops"
    for target, resource in (("alice@example.com", "users"), ("sre", "groups")):
        assert rbac.allows(
            user=sa, groups=[], verb="impersonate", group="", resource=resource, namespace="", name=target
        )
    assert not rbac.allows(
        user=sa, groups=[], verb="impersonate", group="", resource="users", namespace="", name="carol"
    )


async def test_grants_may_only_name_people_the_bot_may_impersonate(helm: Helm) -> None:
    bad = {
        "rbac": {
            "impersonation": {
                "enabled": True,
                "users": ["alice"],
                "grants": [{"profile": "operator", "users": ["mallory"]}],
            }
        }
    }
    result = await helm.template_run(bad)
    assert result.returncode != 0 and "user mallory, who is not in rbac.impersonation.users" in result.stderr
