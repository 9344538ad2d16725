"""Who may approve on Mattermost is the policy's call over membership strings: a viewer's click is
refused privately and runs nothing; a member of the operators' Mattermost group approves, once."""

from __future__ import annotations

from typing import Any

from storage.records import ApprovalState
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_mattermost.plugin import ALICE, BOB, OLGA, OPS
from tests.fake_mattermost.server import FakeMattermost
from tests.mattermost.conftest import running_bot
from tests.mattermost.helpers import approval_id_of, cards
from tools.kubernetes.clusters import ClusterSet

POLICY: dict[str, Any] = {
    "default_role": "viewer",
    "roles": {"operator": {"members": [f"mattermost:user:{ALICE.id}", "mattermost:group:sre"]}},
    "approvals": {"self_confirm": {"write": False}},
}


async def test_a_viewer_click_is_refused_and_a_group_member_approves(
    sqlite_url: str, fake_mattermost: FakeMattermost, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    async with running_bot(sqlite_url, fake_mattermost, fake_cluster_set, policy=POLICY) as bot:
        await bot.fake.say(ALICE, "@chatops !scale deployment web --replicas 4 -n prod", channel=OPS)
        await bot.fake.wait_until(lambda: len(cards(bot.fake)) == 1)
        await bot.settle()
        (card,) = cards(bot.fake)
        approval_id = approval_id_of(card)

        status, answer = await bot.fake.click(card["id"], "approve", BOB)  # no role: a viewer
        await bot.settle()
        assert status == 200 and "needs the operator role; you are viewer" in answer["ephemeral_text"]
        row = await bot.app.store.get_approval(approval_id)
        assert row is not None and row.state is ApprovalState.PENDING and not row.approvers
        assert [r for r in fake_k8s.mutations() if "/deployments/web" in r.path] == []

        status, _ = await bot.fake.click(card["id"], "approve", OLGA)  # mattermost:group:sre → operator
        await bot.settle()
        row = await bot.app.store.get_approval(approval_id)
        assert row is not None and row.state is ApprovalState.SUCCEEDED
        assert len([r for r in fake_k8s.mutations() if "/deployments/web" in r.path]) == 1
