"""A change files a card; a click by someone allowed runs it once and the card is updated in place.
Refused clicks (self-approval of a destructive change, a viewer, another workspace) are told
privately and change nothing; a completed change carries Undo, which files the inverse."""

from __future__ import annotations

from storage.records import ApprovalState
from tests.core.helpers import state_of
from tests.fake_slack.requests import mention
from tests.fake_slack.server import Call
from tests.slack.harness import SlackBot
from tests.slack.helpers import approval_id_of, buttons, card_calls, shown


async def request_card(bot: SlackBot, text: str, *, user: str, ts: str = "1699991000.000100") -> Call:
    await bot.sender.event(mention(text, user=user, ts=ts))
    await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    (card,) = card_calls(bot.fake.calls_to("chat.postMessage"))
    return card


async def click(bot: SlackBot, action: str, card: Call, *, user: str, team: str | None = None) -> None:
    ts = bot.fake.result_of(card)["ts"]
    extra = {"team": team} if team else {}
    answer = await bot.sender.click(
        action,
        approval_id_of(card),
        user=user,
        channel=card.args["channel"],
        message_ts=ts,
        thread_ts=card.args.get("thread_ts"),
        **extra,
    )
    assert answer.status == 200  # how fast the ack comes back is bench/bench_slack_ack.py's


async def test_a_write_is_approved_by_someone_else_runs_once_and_the_card_says_so(bot: SlackBot) -> None:
    card = await request_card(bot, "!demo scale web --replicas 3", user="UALICE")
    approval_id = approval_id_of(card)
    assert [b["value"] for b in buttons(card.json_arg("blocks"))] == [approval_id, approval_id]
    text = shown(card.json_arg("blocks"))
    for shown_part in ("demo_scale", "WRITE", "Alice", "replicas 2 → 3", "Expires", "app/web"):
        assert shown_part in text
    await click(bot, "approve", card, user="UOLGA")
    await bot.settle()
    assert [r for r in bot.backend.runs if r[0] == "scale"] == [
        ("scale", {"cluster": None, "namespace": None, "name": "web", "replicas": 3})
    ]
    (update,) = bot.fake.calls_to("chat.update")
    assert update.args["channel"] == card.args["channel"]
    assert update.args["ts"] == bot.fake.result_of(card)["ts"]
    updated = shown(update.json_arg("blocks"))
    assert "approved by Olga; succeeded" in updated
    assert [b["action_id"] for b in buttons(update.json_arg("blocks"))] == ["chatops_undo"]
    results = [
        c for c in bot.fake.calls_to("chat.postMessage") if "scaled 2 → 3" in shown(c.json_arg("blocks"))
    ]
    assert len(results) == 1 and results[0].args["thread_ts"] == card.args["thread_ts"]
    assert await state_of(bot.app.store, approval_id) is ApprovalState.SUCCEEDED


async def test_self_approval_of_a_destructive_change_is_refused_privately(bot: SlackBot) -> None:
    card = await request_card(bot, "!demo delete api", user="UBOB")
    (approve, _) = buttons(card.json_arg("blocks"))
    assert approve["confirm"]["title"]["text"] == "Approve a destructive change?"
    await click(bot, "approve", card, user="UBOB")
    await bot.settle()
    (note,) = bot.fake.calls_to("chat.postEphemeral")
    assert note.args["user"] == "UBOB" and "cannot approve" in note.args["text"]
    assert bot.fake.calls_to("chat.update") == []
    assert "api" in bot.backend.replicas
    assert await state_of(bot.app.store, approval_id_of(card)) is ApprovalState.PENDING


async def test_self_confirmation_of_a_write_is_accepted(bot: SlackBot) -> None:
    card = await request_card(bot, "!demo scale web --replicas 5", user="UALICE")
    await click(bot, "approve", card, user="UALICE")
    await bot.settle()
    assert bot.backend.replicas["web"] == 5
    assert "approved by Alice; succeeded" in shown(bot.fake.calls_to("chat.update")[0].json_arg("blocks"))


async def test_a_viewer_cannot_approve_and_nothing_changes(bot: SlackBot) -> None:
    card = await request_card(bot, "!demo scale web --replicas 4", user="UALICE")
    await click(bot, "approve", card, user="UVIC")
    await click(bot, "deny", card, user="UVIC")
    await bot.settle()
    notes = bot.fake.calls_to("chat.postEphemeral")
    assert [n.args["user"] for n in notes] == ["UVIC", "UVIC"]
    said = sorted(n.args["text"] for n in notes)
    assert "cannot approve" in said[0] and "cannot deny" in said[1]
    assert bot.fake.calls_to("chat.update") == []
    assert len(bot.fake.calls_to("chat.postMessage")) == 1  # only the card
    assert bot.backend.replicas["web"] == 2
    assert await state_of(bot.app.store, approval_id_of(card)) is ApprovalState.PENDING


async def test_a_click_from_another_workspace_is_refused(bot: SlackBot) -> None:
    card = await request_card(bot, "!demo scale web --replicas 4", user="UALICE")
    await click(bot, "approve", card, user="UOLGA", team="T0ELSEWHERE")
    await bot.settle()
    (note,) = bot.fake.calls_to("chat.postEphemeral")
    assert "another Slack workspace" in note.args["text"]
    assert bot.backend.replicas["web"] == 2
    assert await state_of(bot.app.store, approval_id_of(card)) is ApprovalState.PENDING


async def test_an_admin_by_user_group_approves_someone_elses_destructive_change(bot: SlackBot) -> None:
    card = await request_card(bot, "!demo scale web --replicas 0", user="UBOB")  # 0 replicas: destructive
    assert "DESTRUCTIVE" in shown(card.json_arg("blocks"))
    await click(bot, "approve", card, user="UOLGA")  # an operator may not approve a destructive change
    await bot.settle()
    assert bot.backend.replicas["web"] == 2
    await click(bot, "approve", card, user="UDANA")  # admin through the S0ADMINS user group
    await bot.settle()
    assert bot.backend.replicas["web"] == 0
    assert "approved by Dana; succeeded" in shown(bot.fake.calls_to("chat.update")[-1].json_arg("blocks"))
    assert len(bot.fake.calls_to("usergroups.list")) == 1  # one call serves every lookup within the TTL


async def test_a_denial_updates_the_card(bot: SlackBot) -> None:
    card = await request_card(bot, "!demo scale web --replicas 4", user="UALICE")
    await click(bot, "deny", card, user="UOLGA")
    await bot.settle()
    (update,) = bot.fake.calls_to("chat.update")
    assert "denied by Olga" in shown(update.json_arg("blocks"))
    assert buttons(update.json_arg("blocks")) == []
    assert bot.backend.replicas["web"] == 2


async def test_undo_files_the_inverse_change_as_a_new_card(bot: SlackBot) -> None:
    card = await request_card(bot, "!demo scale web --replicas 3", user="UALICE")
    await click(bot, "approve", card, user="UOLGA")
    await bot.settle()
    await click(bot, "undo", card, user="UOLGA")
    await bot.settle()
    new_cards = [c for c in card_calls(bot.fake.calls_to("chat.postMessage")) if c is not card]
    (undo_card,) = new_cards
    assert approval_id_of(undo_card) != approval_id_of(card)
    assert "replicas 3 → 2" in shown(undo_card.json_arg("blocks"))
    assert undo_card.args["thread_ts"] == card.args["thread_ts"]
    assert bot.backend.replicas["web"] == 3  # filed for approval, not run
