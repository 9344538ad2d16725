"""`!use namespace|cluster` sets the channel's defaults at once; other channels keep theirs.

Only a role that may (operator by default, `policy.use_role`) moves them, and only to a
namespace that exists in the channel's cluster (looked up in the fake Kubernetes API).
"""

from __future__ import annotations

from bot.app import App, build_app
from bot.domain.models import ReplyKind
from tests.core.demo_ops import Backend, demo_operations
from tests.core.fixtures import make_config
from tests.core.helpers import msg, slack_roles
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterSet


async def open_bot(url: str, backend: Backend, clusters: ClusterSet, **policy: object) -> App:
    operations = [*demo_operations(backend), *kubernetes_operations(clusters=clusters, request_timeout_s=5)]
    return await build_app(make_config(url, policy=policy), operations=operations, clusters=clusters)


async def test_use_namespace_applies_to_the_next_request(
    sqlite_url: str, backend: Backend, fake_cluster_set: ClusterSet
) -> None:
    app = await open_bot(sqlite_url, backend, fake_cluster_set)
    try:
        await app.router.handle(msg("!demo get web"))
        replies = await app.router.handle(msg("!use namespace prod"))
        assert "now uses namespace prod" in replies[0].text
        await app.router.handle(msg("!demo get web"))
        await app.router.handle(msg("!demo get web", channel="other"))
        assert [run[1]["namespace"] for run in backend.runs] == ["default", "prod", "default"]
        bad = await app.router.handle(msg("!use namespace Not_Valid"))
        assert "not a valid DNS-1123 label" in bad[0].text
        unknown = await app.router.handle(msg("!use cluster nowhere"))
        assert "Unknown cluster 'nowhere'" in unknown[0].text
    finally:
        await app.close()


async def test_a_namespace_that_does_not_exist_is_refused_in_one_sentence(
    database_url: str, backend: Backend, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    app = await open_bot(database_url, backend, fake_cluster_set)
    try:
        refused = (await app.router.handle(msg("!use namespace staging")))[0]
        assert refused.kind is ReplyKind.ERROR
        assert refused.text == (
            "Namespace staging does not exist in this channel's cluster; "
            "`!get namespaces` lists the ones that do."
        )
        await app.router.handle(msg("!demo get web"))
        assert backend.runs[-1][1]["namespace"] == "default"
        assert not fake_k8s.mutations()
    finally:
        await app.close()


async def test_only_a_role_that_may_moves_the_defaults(
    database_url: str, backend: Backend, fake_cluster_set: ClusterSet
) -> None:
    roles = slack_roles(operators=["UOP"], viewers=["UVIEW"])
    app = await open_bot(database_url, backend, fake_cluster_set, **roles)
    try:
        viewer = (await app.router.handle(msg("!use namespace kube-system", "UVIEW", platform="slack")))[0]
        assert viewer.kind is ReplyKind.DENIED
        assert "needs the operator role; you are viewer" in viewer.text
        await app.router.handle(msg("!demo get web", "UVIEW", platform="slack"))
        assert backend.runs[-1][1]["namespace"] == "default"
        operator = (await app.router.handle(msg("!use namespace kube-system", "UOP", platform="slack")))[0]
        assert "now uses namespace kube-system" in operator.text
    finally:
        await app.close()
    stricter = await open_bot(database_url, backend, fake_cluster_set, **roles, use_role="admin")
    try:
        refused = (await stricter.router.handle(msg("!use cluster fake", "UOP", platform="slack")))[0]
        assert "needs the admin role; you are operator" in refused.text
    finally:
        await stricter.close()
