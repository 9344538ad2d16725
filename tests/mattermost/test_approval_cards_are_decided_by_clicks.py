"""A change files a card with signed buttons; a click by someone allowed runs it once (however many
clicks) and the card is updated in place. A refused click, a forged click and a click on a decided card
are answered privately and change nothing."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

from storage.records import ApprovalState
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_mattermost.plugin import ALICE, BOB, OLGA, OPS
from tests.mattermost.conftest import ACTION_SECRET, MattermostBot
from tests.mattermost.helpers import actions, answers_to, approval_id_of, cards, shown

SCALE = "@chatops !scale deployment web --replicas 3 -n prod"


async def state_of(bot: MattermostBot, approval_id: str) -> ApprovalState:
    record = await bot.app.store.get_approval(approval_id)
    assert record is not None
    return record.state


def scale_writes(fake_k8s: FakeKubernetes) -> list[Any]:
    return [r for r in fake_k8s.mutations() if "/deployments/web" in r.path]


async def file_card(bot: MattermostBot, text: str = SCALE) -> tuple[dict[str, Any], dict[str, Any]]:
    asked = await bot.fake.say(ALICE, text, channel=OPS)
    await bot.fake.wait_until(lambda: len(cards(bot.fake)) == 1)
    await bot.settle()
    (card,) = cards(bot.fake)
    return asked, copy.deepcopy(card)  # as first drawn (the fake updates its own copy in place)


async def test_a_write_files_a_card_with_signed_buttons_in_the_thread(
    bot: MattermostBot, fake_k8s: FakeKubernetes
) -> None:
    asked, card = await file_card(bot)
    assert card["root_id"] == asked["id"]
    for part in ("k8s_scale_deployment", "WRITE", "Alice", "replicas 2 → 3"):
        assert part in shown(card["message"])
    approve, deny = actions(card)
    assert (approve["id"], deny["id"]) == ("approve", "deny")
    assert approve["integration"]["url"] == bot.public_url + "/mattermost/actions"
    context = approve["integration"]["context"]
    assert set(context) == {"action", "approval_id", "sig"} and context["action"] == "approve"
    assert ACTION_SECRET not in str(card)
    assert scale_writes(fake_k8s) == []


async def test_two_clicks_run_the_change_once_and_the_card_is_updated_in_place(
    bot: MattermostBot, fake_k8s: FakeKubernetes
) -> None:
    asked, card = await file_card(bot)
    (first, _), (second, _) = await asyncio.gather(
        bot.fake.click(card["id"], "approve", OLGA), bot.fake.click(card["id"], "approve", BOB)
    )
    await bot.settle()
    assert first == second == 200
    assert len(scale_writes(fake_k8s)) == 1
    web = fake_k8s.get("Deployment", "prod", "web")
    assert web is not None and web["spec"]["replicas"] == 3
    assert await state_of(bot, approval_id_of(card)) is ApprovalState.SUCCEEDED
    assert {u.path for u in bot.fake.updates} == {f"/posts/{card['id']}"}  # in place, nowhere else
    now = shown(bot.fake.posts[card["id"]]["message"])
    assert "succeeded" in now and ("approved by Olga" in now or "approved by Bob" in now)
    assert [a["id"] for a in actions(bot.fake.posts[card["id"]])] == ["undo"]
    # the outcome in the card's thread, once; the other clicker told privately
    results = [p for p in answers_to(bot.fake, asked["id"]) if p["id"] != card["id"]]
    assert len(results) == 1
    (note,) = bot.fake.ephemerals
    assert note["via"] == "action" and note["user_id"] in (OLGA.id, BOB.id)


async def test_the_requester_cannot_approve_their_own_write_and_nothing_runs(
    bot: MattermostBot, fake_k8s: FakeKubernetes
) -> None:
    _, card = await file_card(bot)
    status, answer = await bot.fake.click(card["id"], "approve", ALICE)
    await bot.settle()
    assert status == 200 and "someone other than the requester" in answer["ephemeral_text"]
    assert bot.fake.updates == []
    assert scale_writes(fake_k8s) == []
    assert await state_of(bot, approval_id_of(card)) is ApprovalState.PENDING


async def test_a_forged_click_is_refused_before_anything_is_looked_up(
    bot: MattermostBot, fake_k8s: FakeKubernetes
) -> None:
    _, card = await file_card(bot)
    approval_id = approval_id_of(card)
    seen = len(bot.fake.requests)
    payload = {
        "user_id": OLGA.id,
        "user_name": OLGA.username,
        "channel_id": OPS.id,
        "post_id": card["id"],
        "team_id": OPS.team_id,
        "context": {"action": "approve", "approval_id": approval_id, "sig": "0" * 64},
    }
    status, answer = await bot.fake.post_json(bot.public_url + "/mattermost/actions", payload)
    # a genuine signature for "deny" does not approve either
    deny_context = actions(card)[1]["integration"]["context"]
    swapped = {**payload, "context": {**deny_context, "action": "approve"}}
    status2, answer2 = await bot.fake.post_json(bot.public_url + "/mattermost/actions", swapped)
    await bot.settle()
    assert status == status2 == 200
    assert "did not make this button" in answer["ephemeral_text"] == answer2["ephemeral_text"]
    assert len(bot.fake.requests) == seen  # no user, post or channel was even looked up
    assert scale_writes(fake_k8s) == []
    assert await state_of(bot, approval_id) is ApprovalState.PENDING


async def test_a_denial_updates_the_card_and_a_late_click_is_answered_privately(
    bot: MattermostBot, fake_k8s: FakeKubernetes
) -> None:
    _, card = await file_card(bot)
    await bot.fake.click(card["id"], "deny", OLGA)
    await bot.settle()
    decided = bot.fake.posts[card["id"]]
    assert "denied by Olga" in shown(decided["message"]) and actions(decided) == []
    updates = len(bot.fake.updates)
    status, answer = await bot.fake.post_json(
        bot.public_url + "/mattermost/actions",
        {
            "user_id": BOB.id,
            "channel_id": OPS.id,
            "post_id": card["id"],
            "context": actions(card)[0]["integration"]["context"],  # the approve button, drawn before
        },
    )
    await bot.settle()
    assert status == 200 and answer["ephemeral_text"]
    assert len(bot.fake.updates) == updates  # a duplicate on a decided card redraws nothing
    assert scale_writes(fake_k8s) == []


async def test_a_slow_decision_is_acknowledged_and_its_refusal_posted_privately(
    bot: MattermostBot, fake_k8s: FakeKubernetes
) -> None:
    _, card = await file_card(bot)
    bot.adapter.ack_within_s = 0.0
    status, answer = await bot.fake.click(card["id"], "approve", ALICE)
    assert status == 200 and "ephemeral_text" not in answer
    await bot.fake.wait_until(lambda: any(e["via"] == "api" for e in bot.fake.ephemerals))
    await bot.settle()
    (note,) = bot.fake.ephemerals
    assert note["user_id"] == ALICE.id and "someone other than the requester" in note["message"]
    assert note["root_id"] == card["root_id"]
    assert scale_writes(fake_k8s) == []


async def test_undo_files_the_inverse_change_as_a_new_card_in_the_thread(
    bot: MattermostBot, fake_k8s: FakeKubernetes
) -> None:
    asked, card = await file_card(bot)
    await bot.fake.click(card["id"], "approve", OLGA)
    await bot.settle()
    status, _ = await bot.fake.click(card["id"], "undo", OLGA)
    await bot.settle()
    assert status == 200
    (undo_card,) = [c for c in cards(bot.fake) if c["id"] != card["id"]]
    assert undo_card["root_id"] == asked["id"] and approval_id_of(undo_card) != approval_id_of(card)
    assert "replicas 3 → 2" in shown(undo_card["message"])
    assert len(scale_writes(fake_k8s)) == 1  # filed for approval, not run
