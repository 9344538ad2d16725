"""`-A` reads show only namespaces the requester may read under policy, and say what was left out.

Through the router and the executor against the fake Kubernetes API, as a Slack viewer.
"""

from __future__ import annotations

from typing import Any

from bot.app import App, build_app
from bot.domain.models import IncomingMessage, Principal
from tests.core.fixtures import Apps, make_config
from tests.core.helpers import slack_roles
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet

HIDE_KUBE = {"safety": "read", "namespace": "kube-*", "decision": "deny"}


async def open_bot(url: str, clusters: ClusterSet, rules: list[dict[str, Any]]) -> App:
    policy = {**slack_roles(viewers=["UVIEW"]), "rules": rules}
    return await build_app(make_config(url, policy=policy), clusters=clusters)


async def ask(app: App, text: str) -> Any:
    replies = await app.router.handle(IncomingMessage(Principal("slack", "UVIEW", "Vic"), "C1", text))
    return replies[0]


def namespaces_in(reply: Any) -> set[str]:
    assert reply.table is not None, reply.text
    column = reply.table.columns.index("NAMESPACE")
    return {row[column] for row in reply.table.rows}


async def test_pods_of_every_namespace_leave_out_the_denied_ones_and_say_so(
    apps: Apps, sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    hidden = len(fake_k8s.objects("Pod", "kube-system"))
    assert hidden > 0
    app = apps.keep(await open_bot(sqlite_url, fake_cluster_set, [HIDE_KUBE]))
    reply = await ask(app, "!get pods -A")
    assert "kube-system" not in namespaces_in(reply)
    assert "prod" in namespaces_in(reply)
    assert f"Left out: {hidden} item(s) in 1 namespace(s) you may not read here (kube-system)." in reply.text
    refused = await ask(app, "!describe pod anything -n kube-system")
    assert "Refused" in refused.text
    health = await ask(app, "!health")
    shown = len(fake_k8s.objects("Pod")) - hidden
    assert f"Pods: {shown} total" in health.text
    assert "you may not read here (kube-system)" in health.text


async def test_configmaps_of_every_namespace_follow_the_same_rule(
    apps: Apps, sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    for namespace in ("prod", "kube-system"):
        fake_k8s.add(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": f"settings-{namespace}", "namespace": namespace},
                "data": {"a": "b"},
            }
        )
    app = apps.keep(await open_bot(sqlite_url, fake_cluster_set, [HIDE_KUBE]))
    reply = await ask(app, "!get configmaps -A")
    assert "settings-kube-system" not in str(reply.table.rows)
    assert "settings-prod" in str(reply.table.rows)
    assert "namespace(s) you may not read here (kube-system)" in reply.text


async def test_nothing_is_said_when_nothing_was_left_out(
    apps: Apps, sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    app = apps.keep(await open_bot(sqlite_url, fake_cluster_set, []))
    reply = await ask(app, "!get pods -A")
    assert "kube-system" in namespaces_in(reply)
    assert "Left out" not in reply.text
