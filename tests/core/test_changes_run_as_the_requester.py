"""An approved change runs as the requester's mapped Kubernetes identity (groups included),
from the memberships its approval row stored, also after a restart and for rows filed before
memberships (bare group ids)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.app import build_app
from bot.domain.models import ButtonAction, IncomingMessage, Principal
from bot.settings.legacy import qualify_stored_groups
from tests.core.fixtures import make_config
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet


@pytest.mark.parametrize("row", ["as filed", "filed before memberships"])
async def test_group_mapped_identity_is_impersonated_when_the_change_runs(
    sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet, row: str
) -> None:
    config = make_config(
        sqlite_url,
        identities=[
            {
                "match": {"member": "slack:group:SOPS"},
                "kubernetes": {"user": "rita@example.com", "groups": ["sre"]},
            }
        ],
        policy={"roles": {"operator": {"members": ["slack:group:SOPS"]}}},
    )
    app = await build_app(config, clusters=fake_cluster_set)
    try:
        rita = Principal("slack", "URITA", "Rita", memberships=("slack:group:SOPS",))
        card = (
            await app.router.handle(IncomingMessage(rita, "C1", "!scale deployment web --replicas 3 -n prod"))
        )[0]
        assert card.approval_id, card.text
        filed = await app.store.get_approval(card.approval_id)
        assert filed is not None and filed.requester_groups == ("slack:user:URITA", "slack:group:SOPS")
    finally:
        await app.close()
    if row == "filed before memberships":
        with sqlite3.connect(sqlite_url.split("///", 1)[1]) as db:
            db.execute("UPDATE approvals SET requester_groups = ?", (json.dumps(["SOPS"]),))
    app = await build_app(config, clusters=fake_cluster_set)  # a restart: nothing kept in memory
    try:
        fake_k8s.reset_requests()
        olga = Principal("slack", "UOLGA", "Olga", memberships=("slack:group:SOPS",))
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
    finally:
        await app.close()


@pytest.mark.parametrize(
    "platform, stored, memberships",
    [
        ("slack", ("S1",), ("slack:user:U1", "slack:group:S1")),
        ("discord", ("111", "222"), ("discord:user:U1", "discord:role:111", "discord:role:222")),
        ("slack", ("slack:user:U1", "slack:group:S1"), ("slack:user:U1", "slack:group:S1")),
        ("console", ("x",), ("console:user:U1",)),  # never stored bare groups: dropped, never widened
    ],
)
def test_a_rows_requester_has_the_memberships_it_stored(
    platform: str, stored: tuple[str, ...], memberships: tuple[str, ...]
) -> None:
    assert (
        Principal(platform, "U1", "One", qualify_stored_groups(platform, stored)).memberships == memberships
    )
