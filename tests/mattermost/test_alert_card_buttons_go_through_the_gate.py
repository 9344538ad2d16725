"""An alert card posted on Mattermost: Acknowledge records who took it and the card says so in place;
Silence files an ordinary approval card in the card's thread and reaches Alertmanager once, only after
an allowed person approves (however often they click); a viewer's Silence is refused privately; a click
whose signature is not the bot's changes nothing; Investigate runs the diagnosis as the clicker in the
card's thread (a viewer's reads only), and a fix the model proposes is an approval card that waits."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.alerts.receiver import to_input
from bot.alerts.service import alerts_service
from storage.records import ApprovalState, AuditFilter
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_alertmanager.webhook import firing
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_llm import Call, FakeLLM, Say
from tests.fake_llm.plugin import fake_llm  # noqa: F401  (a fixture)
from tests.fake_mattermost.plugin import ALICE, BOB, OLGA, OPS
from tests.fake_mattermost.server import FakeMattermost
from tests.mattermost.conftest import MattermostBot, running_bot
from tests.mattermost.helpers import actions, answers_to, approval_id_of, shown
from tools.alertmanager.webhook import WebhookAlert
from tools.kubernetes.clusters import ClusterSet

ALERT = firing("KubePodCrashLooping", namespace="prod", pod="batch-oom", severity="critical")
FP = str(ALERT["fingerprint"])
# Alice operates, Bob administers, Olga only looks.
POLICY: dict[str, Any] = {
    "roles": {
        "operator": {"members": [f"mattermost:user:{ALICE.id}"]},
        "admin": {"members": [f"mattermost:user:{BOB.id}"]},
    },
    "approvals": {"self_confirm": {"write": False}},
}


@contextlib.asynccontextmanager
async def alerting_bot(
    url: str,
    fake: FakeMattermost,
    alertmanager: FakeAlertmanager,
    clusters: ClusterSet,
    *,
    llm: dict[str, Any] | None = None,
) -> AsyncIterator[MattermostBot]:
    """The Mattermost adapter with the alerts service running (its leader posts the cards)."""
    config: dict[str, Any] = {
        "alertmanager": {"endpoints": [{"name": "am", "url": alertmanager.url}]},
        "alerts": {
            "enabled": True,
            "receiver": {"bearer_token_env": "CHATOPS_ALERTS_TOKEN"},  # unset: no webhook gets in here
            "default_places": [{"platform": "mattermost", "channel": OPS.id}],
            "poll_interval_s": 0.05,
        },
        **({"llm": llm} if llm else {}),
    }
    async with running_bot(url, fake, clusters, config=config, policy=POLICY) as running:
        service = alerts_service(running.app, leader=None)
        await service.start()
        try:
            yield running
        finally:
            await service.stop()


@pytest.fixture
async def bot(
    database_url: str,
    fake_mattermost: FakeMattermost,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
) -> AsyncIterator[MattermostBot]:
    async with alerting_bot(database_url, fake_mattermost, fake_alertmanager, fake_cluster_set) as running:
        yield running


async def alert_card(bot: MattermostBot) -> dict[str, Any]:
    await bot.app.store.alerts.upsert(to_input(WebhookAlert.model_validate(ALERT)))
    await bot.fake.wait_until(
        lambda: any("KubePodCrashLooping" in p["message"] for p in bot.fake.bot_posts())
    )
    (card,) = [p for p in bot.fake.bot_posts() if "KubePodCrashLooping" in p["message"]]
    return card


def approval_cards(bot: MattermostBot) -> list[dict[str, Any]]:
    return [p for p in bot.fake.bot_posts() if any(a["id"] == "approve" for a in actions(p))]


def private_to(bot: MattermostBot, who: Any) -> str:
    return "\n".join(shown(e["message"]) for e in bot.fake.ephemerals if e["user_id"] == who.id)


async def test_acknowledge_is_recorded_and_the_card_says_who_in_place(bot: MattermostBot) -> None:
    card = await alert_card(bot)
    assert {a["id"] for a in actions(card)} >= {"acknowledge", "silence1h", "investigate"}
    assert {a["integration"]["context"]["approval_id"] for a in actions(card)} == {FP}
    status, _ = await bot.fake.click(card["id"], "acknowledge", OLGA)
    await bot.settle()
    assert status == 200
    said = [shown(p["message"]) for p in answers_to(bot.fake, card["id"])]
    assert said == ["Olga acknowledged KubePodCrashLooping."]
    await bot.fake.wait_until(lambda: "Acknowledged" in shown(bot.fake.posts[card["id"]]["message"]))
    now = bot.fake.posts[card["id"]]
    assert f"by Olga (mattermost:{OLGA.id}) at " in shown(now["message"])
    assert "acknowledge" not in {a["id"] for a in actions(now)}
    facts = await bot.app.store.list_audit(AuditFilter(event="alert.acknowledged"))
    assert [f.user_id for f in facts] == [OLGA.id]


async def test_silence_is_an_approval_card_in_the_thread_that_reaches_alertmanager_once_approved(
    bot: MattermostBot, fake_alertmanager: FakeAlertmanager
) -> None:
    card = await alert_card(bot)
    status, _ = await bot.fake.click(card["id"], "silence1h", ALICE)
    await bot.settle()
    assert status == 200
    (approval,) = approval_cards(bot)
    assert approval["root_id"] == card["id"] and "am_silence" in shown(approval["message"])
    assert fake_alertmanager.mutations == []

    await bot.fake.click(approval["id"], "approve", OLGA)  # a viewer
    await bot.settle()
    assert "operator" in private_to(bot, OLGA)
    assert fake_alertmanager.mutations == []

    await asyncio.gather(
        bot.fake.click(approval["id"], "approve", BOB), bot.fake.click(approval["id"], "approve", BOB)
    )
    await bot.settle()
    (post,) = fake_alertmanager.mutations
    assert {m["name"]: m["value"] for m in post.body["matchers"]}["pod"] == "batch-oom"
    record = await bot.app.store.get_approval(approval_id_of(approval))
    assert record is not None and record.state is ApprovalState.SUCCEEDED


async def test_a_viewers_silence_is_refused_privately(
    bot: MattermostBot, fake_alertmanager: FakeAlertmanager
) -> None:
    card = await alert_card(bot)
    status, _ = await bot.fake.click(card["id"], "silence4h", OLGA)
    await bot.settle()
    assert status == 200
    assert "needs the operator role" in private_to(bot, OLGA)
    assert answers_to(bot.fake, card["id"]) == [] and approval_cards(bot) == []
    assert fake_alertmanager.mutations == []


async def test_a_forged_click_is_refused_before_anything_is_looked_up(
    bot: MattermostBot, fake_alertmanager: FakeAlertmanager
) -> None:
    card = await alert_card(bot)
    seen = len(bot.fake.requests)
    payload = {
        "user_id": BOB.id,
        "user_name": BOB.username,
        "channel_id": OPS.id,
        "post_id": card["id"],
        "team_id": OPS.team_id,
        "context": {"action": "acknowledge", "approval_id": FP, "sig": "0" * 64},
    }
    status, answer = await bot.fake.post_json(bot.public_url + "/mattermost/actions", payload)
    # a genuine signature for Investigate does not silence either
    (investigate,) = [a for a in actions(card) if a["id"] == "investigate"]
    swapped = {**payload, "context": {**investigate["integration"]["context"], "action": "silence_1h"}}
    status2, answer2 = await bot.fake.post_json(bot.public_url + "/mattermost/actions", swapped)
    await bot.settle()
    assert status == status2 == 200
    assert "did not make this button" in answer["ephemeral_text"] == answer2["ephemeral_text"]
    assert len(bot.fake.requests) == seen  # no user, post or channel was even looked up
    assert fake_alertmanager.mutations == []
    alert = await bot.app.store.alerts.get(FP)
    assert alert is not None and alert.acknowledged_by is None
    assert await bot.app.store.list_audit(AuditFilter(event="alert.clicked")) == []


async def test_a_viewers_investigate_reads_only_and_answers_in_the_cards_thread(
    bot: MattermostBot, fake_k8s: FakeKubernetes
) -> None:
    card = await alert_card(bot)
    fake_k8s.reset_requests()
    status, _ = await bot.fake.click(card["id"], "investigate", OLGA)
    await bot.settle()
    assert status == 200
    text = "\n".join(shown(p["message"]) for p in answers_to(bot.fake, card["id"]))
    assert "batch-oom" in text and "OOMKilled" in text
    assert fake_k8s.requests and fake_k8s.mutations() == []
    everything = await bot.app.store.list_audit(AuditFilter(event="operation.proposed"))
    # The alert card's own findings were read by the bot's system principal before it was posted.
    assert {f.operation for f in everything if f.platform == "system"} <= {"k8s_diagnose"}
    proposed = [f for f in everything if f.platform != "system"]
    assert {f.operation for f in proposed} == {"k8s_diagnose"}
    assert {f.user_id for f in proposed} == {OLGA.id}


async def test_a_fix_the_model_proposes_is_an_approval_card_in_the_thread_that_waits(
    database_url: str,
    fake_mattermost: FakeMattermost,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
    fake_llm: FakeLLM,  # noqa: F811  (a fixture)
) -> None:
    fake_llm.push(
        Call.one("k8s_change", "k8s_restart_deployment", {"name": "web", "namespace": "prod"}),
        Say("1. batch-oom runs out of memory. Restarting web clears the backlog."),
    )
    llm = {"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 5}
    async with alerting_bot(
        database_url, fake_mattermost, fake_alertmanager, fake_cluster_set, llm=llm
    ) as bot:
        card = await alert_card(bot)
        await bot.fake.click(card["id"], "investigate", ALICE)
        await bot.settle()
        text = "\n".join(shown(p["message"]) for p in answers_to(bot.fake, card["id"]))
        assert "Analysis (language model; check before acting)" in text
        (approval,) = approval_cards(bot)
        assert approval["root_id"] == card["id"]
        assert "k8s_restart_deployment" in shown(approval["message"])
        assert fake_k8s.mutations() == []
        record = await bot.app.store.get_approval(approval_id_of(approval))
        assert record is not None and record.state is ApprovalState.PENDING
        assert record.requester_id == ALICE.id

        await bot.fake.click(approval["id"], "approve", BOB)
        await bot.settle()
        restarts = [r for r in fake_k8s.mutations() if "deployments/web" in r.path]
        assert len(restarts) == 1
