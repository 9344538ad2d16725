"""A card posted before a restart is decided after it: a new client and app on the same database
parse the button's custom id (only the approval id) and run the stored change once."""

from __future__ import annotations

from storage.records import ApprovalState
from tests.core.demo_ops import Backend
from tests.discord.conftest import running_bot
from tests.discord.helpers import approval_id_of, click_and_wait, custom_ids, request_card, shown
from tests.fake_discord.plugin import ALICE, OLGA
from tests.fake_discord.server import FakeDiscord


async def test_a_card_from_before_a_restart_is_approved_by_the_new_client(
    database_url: str, fake_discord: FakeDiscord
) -> None:
    backend = Backend()
    async with running_bot(database_url, fake_discord, backend=backend) as before:
        card = await request_card(before, ALICE, "!demo scale web --replicas 4")
        first_client = before.adapter.client
    assert first_client.is_closed()
    assert backend.runs == []

    async with running_bot(database_url, fake_discord, backend=backend) as after:
        assert after.adapter.client is not first_client
        assert fake_discord.identified == 2
        approval_id = approval_id_of(card)
        await click_and_wait(after, OLGA, card, f"chatops:approve:{approval_id}")
        # The card is edited after the run: wait for that edit, not for a quiet moment.
        await fake_discord.wait_for(lambda: "succeeded" in shown(fake_discord.messages[card["id"]]))
        assert [r for r in backend.runs if r[0] == "scale"] == [
            ("scale", {"cluster": None, "namespace": None, "name": "web", "replicas": 4})
        ]
        edited = fake_discord.messages[card["id"]]
        assert "succeeded" in shown(edited)
        assert custom_ids(edited) == [f"chatops:undo:{approval_id}"]
        record = await after.app.desk.get(approval_id)
        assert record is not None and record.state is ApprovalState.SUCCEEDED
