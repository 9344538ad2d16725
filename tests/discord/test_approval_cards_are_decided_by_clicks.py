"""A change files a card with persistent buttons; a click by an allowed role runs it once and the
card is edited in place. Refused clicks (self-approval of a destructive change, a role that may not
approve) are told privately and change nothing."""

from __future__ import annotations

import asyncio

from storage.records import ApprovalState
from tests.discord.conftest import DiscordBot
from tests.discord.helpers import (
    approval_id_of,
    click_and_wait,
    custom_ids,
    is_card,
    is_ephemeral,
    request_card,
    shown,
)
from tests.fake_discord import payloads as p
from tests.fake_discord.plugin import ALICE, BOB, DANA, OLGA, VIC


def scale_runs(bot: DiscordBot) -> list[tuple[str, dict[str, object]]]:
    return [r for r in bot.backend.runs if r[0] == "scale"]


async def test_a_write_approved_by_an_operator_role_runs_once_and_the_card_is_edited(bot: DiscordBot) -> None:
    card = await request_card(bot, ALICE, "!demo scale web --replicas 3")
    approval_id = approval_id_of(card)
    assert custom_ids(card) == [f"chatops:approve:{approval_id}", f"chatops:deny:{approval_id}"]
    for part in ("demo_scale", "WRITE", "Alice", "replicas 2 → 3", "Expires"):
        assert part in shown(card)
    assert scale_runs(bot) == []

    interaction = await click_and_wait(bot, OLGA, card, f"chatops:approve:{approval_id}")

    assert [c["type"] for c in bot.fake.callbacks(interaction)] == [6]  # deferred update, within 3 s
    assert scale_runs(bot) == [("scale", {"cluster": None, "namespace": None, "name": "web", "replicas": 3})]
    # The card is edited after the run: wait for that edit, not for a quiet moment.
    await bot.fake.wait_for(lambda: "succeeded" in shown(bot.fake.messages[card["id"]]))
    edited = bot.fake.messages[card["id"]]
    assert "succeeded" in shown(edited) and "Olga" in shown(edited)
    assert custom_ids(edited) == [f"chatops:undo:{approval_id}"]  # a completed change keeps Undo
    record = await bot.app.desk.get(approval_id)
    assert record is not None and record.state is ApprovalState.SUCCEEDED


async def test_a_role_that_may_not_approve_is_told_privately_and_nothing_runs(bot: DiscordBot) -> None:
    card = await request_card(bot, ALICE, "!demo scale web --replicas 3")
    approval_id = approval_id_of(card)
    interaction = await click_and_wait(bot, VIC, card, f"chatops:approve:{approval_id}")

    (refusal,) = await bot.fake.wait_for(
        lambda: [m for m in bot.fake.replies_to(interaction) if m["id"] != card["id"]]
    )
    assert is_ephemeral(refusal)
    assert "operator" in refusal["content"]
    assert scale_runs(bot) == []
    assert custom_ids(bot.fake.messages[card["id"]]) == custom_ids(card)  # the card is unchanged
    record = await bot.app.desk.get(approval_id)
    assert record is not None and record.state is ApprovalState.PENDING


async def test_self_approval_of_a_destructive_change_is_refused_and_another_admin_approves(
    bot: DiscordBot,
) -> None:
    card = await request_card(bot, BOB, "!demo delete web")
    approval_id = approval_id_of(card)
    assert custom_ids(card) == [f"chatops:confirm:{approval_id}", f"chatops:deny:{approval_id}"]

    ask = await click_and_wait(bot, BOB, card, f"chatops:confirm:{approval_id}")
    (confirmation,) = bot.fake.replies_to(ask)
    assert is_ephemeral(confirmation) and "DESTRUCTIVE" in confirmation["content"]
    assert custom_ids(confirmation) == [f"chatops:approve:{approval_id}:{card['id']}"]
    refused = await click_and_wait(bot, BOB, confirmation, custom_ids(confirmation)[0])
    (refusal,) = await bot.fake.wait_for(
        lambda: [m for m in bot.fake.replies_to(refused) if m["id"] != confirmation["id"]]
    )
    assert is_ephemeral(refusal)
    assert [r for r in bot.backend.runs if r[0] == "delete"] == []
    assert "web" in bot.backend.replicas

    ask = await click_and_wait(bot, DANA, card, f"chatops:confirm:{approval_id}")
    (confirmation,) = bot.fake.replies_to(ask)
    await click_and_wait(bot, DANA, confirmation, custom_ids(confirmation)[0])
    assert [r[0] for r in bot.backend.runs if r[0] == "delete"] == ["delete"]
    await bot.fake.wait_for(lambda: "succeeded" in shown(bot.fake.messages[card["id"]]))
    edited = bot.fake.messages[card["id"]]  # edited in place through the channel
    assert "succeeded" in shown(edited) and "Dana" in shown(edited)
    # the confirmation is edited after the card: wait for that edit too
    await bot.fake.wait_for(lambda: "approved" in bot.fake.messages[confirmation["id"]]["content"])


async def test_two_approvals_clicked_at_once_run_the_change_once(bot: DiscordBot) -> None:
    card = await request_card(bot, ALICE, "!demo scale web --replicas 5")
    approve = f"chatops:approve:{approval_id_of(card)}"
    first, second = await asyncio.gather(
        bot.fake.click(OLGA, card["id"], approve), bot.fake.click(BOB, card["id"], approve)
    )
    await bot.fake.wait_for(lambda: bot.fake.callbacks(first) and bot.fake.callbacks(second))
    await bot.fake.wait_for(lambda: "succeeded" in shown(bot.fake.messages[card["id"]]))
    await bot.fake.wait_for(lambda: len(bot.fake.replies_to(first) + bot.fake.replies_to(second)) >= 3)
    assert len(scale_runs(bot)) == 1
    assert bot.backend.replicas["web"] == 5


async def test_deny_edits_the_card_and_undo_files_the_inverse_as_a_new_card(bot: DiscordBot) -> None:
    denied = await request_card(bot, ALICE, "!demo scale api --replicas 4")
    await click_and_wait(bot, OLGA, denied, f"chatops:deny:{approval_id_of(denied)}")
    await bot.fake.wait_for(lambda: "denied by Olga" in shown(bot.fake.messages[denied["id"]]))
    assert custom_ids(bot.fake.messages[denied["id"]]) == []

    card = await request_card(bot, ALICE, "!demo scale web --replicas 3")
    await click_and_wait(bot, OLGA, card, f"chatops:approve:{approval_id_of(card)}")
    await bot.fake.wait_for(lambda: "succeeded" in shown(bot.fake.messages[card["id"]]))
    before = {m["id"] for m in bot.fake.in_channel(p.CHANNEL_ID) if is_card(m)}
    await click_and_wait(bot, OLGA, bot.fake.messages[card["id"]], f"chatops:undo:{approval_id_of(card)}")
    (undo_card,) = await bot.fake.wait_for(
        lambda: [m for m in bot.fake.in_channel(p.CHANNEL_ID) if is_card(m) and m["id"] not in before]
    )
    assert not is_ephemeral(undo_card)
    assert "replicas 3 → 2" in shown(undo_card)
    assert approval_id_of(undo_card) != approval_id_of(card)
