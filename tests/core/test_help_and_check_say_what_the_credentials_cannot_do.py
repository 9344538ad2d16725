"""`!help`, `!access` and `chatops check` name the operations the current Kubernetes credentials
cannot perform (one SelfSubjectRulesReview, judged against the permission tables), before anyone
meets a 403; with impersonation, the requester's own rules decide."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from bot.app import build_app
from bot.runtime.check import run_check
from bot.settings.config import LoadedConfig, Secrets, parse_settings
from tests.core.fixtures import make_config
from tests.core.helpers import msg
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet
from tools.rbac import PROFILES

BOT = {"kind": "ServiceAccount", "name": "bot", "namespace": "ops"}


def role_for(profile: str, *subjects: dict[str, str]) -> list[dict[str, Any]]:
    """A ClusterRole with the profile's rules and its binding (what the chart renders)."""
    rules = [
        {"apiGroups": [r.group], "resources": [r.resource], "verbs": list(r.verbs)}
        for r in PROFILES[profile].rules()
    ]
    ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": profile}
    return [
        {"kind": "ClusterRole", "metadata": {"name": profile}, "rules": rules},
        {
            "kind": "ClusterRoleBinding",
            "metadata": {"name": profile},
            "roleRef": ref,
            "subjects": list(subjects),
        },
    ]


def table_row(reply_table: Any, command: str) -> str:
    (row,) = [r for r in reply_table.rows if r[0] == command]
    return str(row[1])


async def test_help_marks_what_a_readonly_bot_cannot_do_and_access_names_the_permission(
    sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    fake_k8s.access.use_rbac(role_for("readonly", BOT), service_account="ops:bot")
    app = await build_app(make_config(sqlite_url), clusters=fake_cluster_set)
    try:
        (help_reply,) = await app.router.handle(msg("!help"))
        assert "cannot perform" in help_reply.text and "`!access`" in help_reply.text
        assert help_reply.table is not None
        assert table_row(help_reply.table, "!scale deployment").endswith("(not permitted for you here)")
        assert table_row(help_reply.table, "!get").endswith("(some kinds not permitted here)")  # secrets
        assert "not permitted" not in table_row(help_reply.table, "!logs")
        assert "not permitted" not in table_row(help_reply.table, "!helm repo list")  # local

        (access,) = await app.router.handle(msg("!access -n prod"))
        assert access.table is not None
        rows = dict(access.table.rows)
        assert rows["k8s_scale_deployment"] == "patch apps/deployments"
        assert rows["k8s_get secret"] == "list secrets"
        assert "k8s_logs" not in rows
    finally:
        await app.close()


async def test_the_requester_s_mapped_identity_decides_with_impersonation(
    sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    impersonate = {
        "kind": "ClusterRole",
        "metadata": {"name": "impersonate"},
        "rules": [
            {"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"], "resourceNames": ["alice"]}
        ],
    }
    bind = {
        "kind": "ClusterRoleBinding",
        "metadata": {"name": "impersonate"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "impersonate"},
        "subjects": [BOT],
    }
    alice = {"kind": "User", "name": "alice"}
    manifests = [*role_for("readonly", BOT, alice), *role_for("operator", alice), impersonate, bind]
    fake_k8s.access.use_rbac(manifests, service_account="ops:bot")
    config = make_config(
        sqlite_url, identities=[{"match": {"member": "console:user:alice"}, "kubernetes": {"user": "alice"}}]
    )
    app = await build_app(config, clusters=fake_cluster_set)
    try:
        (mine,) = await app.router.handle(msg("!help", "alice"))
        assert mine.table is not None
        assert "not permitted" not in table_row(mine.table, "!scale deployment")
        assert table_row(mine.table, "!apply").endswith("(some kinds not permitted here)")
        assert "Kubernetes user alice" in mine.text
        (bots,) = await app.router.handle(msg("!help", "bob"))  # unmapped: the bot's own rights
        assert bots.table is not None
        assert table_row(bots.table, "!scale deployment").endswith("(not permitted for you here)")
    finally:
        await app.close()


async def test_chatops_check_lists_what_the_bot_s_credentials_cannot_do(
    tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    fake_k8s.access.use_rbac(role_for("readonly", BOT), service_account="ops:bot")
    settings = parse_settings(
        {
            "storage": {"url": f"sqlite:///{tmp_path / 'c.db'}"},
            "clusters": [{"name": "fake", "kubeconfig": str(fake_kubeconfig), "context": "fake"}],
        }
    )
    out = io.StringIO()
    await run_check(LoadedConfig(settings=settings, secrets=Secrets(), source=None), out)
    (line,) = [line for line in out.getvalue().splitlines() if line.startswith("cluster fake access")]
    assert "the bot's own credentials cannot perform" in line
    assert "k8s_scale_deployment" in line and "k8s_logs" not in line.split("Refused:")[1]


async def test_help_on_a_command_says_which_permissions_it_needs(
    sqlite_url: str, fake_cluster_set: ClusterSet
) -> None:
    app = await build_app(make_config(sqlite_url), clusters=fake_cluster_set)
    try:
        (scale,) = await app.router.handle(msg("!help scale deployment"))
        assert scale.text.endswith("Kubernetes permissions: get/patch apps/deployments")
        (get,) = await app.router.handle(msg("!help get"))
        assert "by kind: pod: list pods;" in get.text and "secret: list secrets" in get.text
        (helm_list,) = await app.router.handle(msg("!help helm list"))
        assert "list secrets" in helm_list.text
        (repo,) = await app.router.handle(msg("!help helm repo list"))
        assert "Kubernetes permissions" not in repo.text
    finally:
        await app.close()
