"""An approved change runs as the requester's mapped Kubernetes identity (groups included)."""

from __future__ import annotations

from bot.app import build_app
from bot.domain.models import ButtonAction, IncomingMessage, Principal
from tests.core.fixtures import Apps, make_config
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet


async def test_group_mapped_identity_is_impersonated_when_the_change_runs(
    apps: Apps, sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    config = make_config(
        sqlite_url,
        identities=[
            {"match": {"slack_group": "SOPS"}, "kubernetes": {"user": "rita@example.com", "groups": ["sre"]}}
        ],
        policy={"roles": {"operator": {"slack_groups": ["SOPS"]}}},
    )
    app = apps.keep(await build_app(config, clusters=fake_cluster_set))
    rita = Principal("slack", "URITA", "Rita", groups=("SOPS",))
    card = (
        await app.router.handle(IncomingMessage(rita, "C1", "!scale deployment web --replicas 3 -n prod"))
    )[0]
    assert card.approval_id, card.text
    fake_k8s.reset_requests()
    olga = Principal("slack", "UOLGA", "Olga", groups=("SOPS",))
    outcome, _ = await app.router.handle_button(
        principal=olga,
        action=ButtonAction.APPROVE,
        approval_id=card.approval_id,
        channel="C1",
        thread=None,
    )
    writes = [r for r in fake_k8s.mutations() if "deployments/web" in r.path]
    assert len(writes) == 1, outcome.text
    assert writes[0].impersonate_user == "rita@example.com"
    assert writes[0].impersonate_groups == ["sre"]
