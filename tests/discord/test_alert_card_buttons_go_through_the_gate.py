"""An alert card posted on Discord: Acknowledge records who took it and the card says so in place;
Silence files an ordinary approval card in the card's channel and reaches Alertmanager once, only
after an allowed person approves (however often they click); a viewer's Silence is refused privately;
a button naming an unknown alert changes nothing; Investigate runs the diagnosis as the clicker in the
card's channel (a viewer's reads only), and a fix the model proposes is an approval card that waits."""

from __future__ import annotations

import asyncio
import contextlib
import copy
from collections.abc import AsyncIterator, Mapping
from typing import Any

import pytest

from bot.alerts.receiver import to_input
from bot.alerts.service import alerts_service
from storage.records import ApprovalState, AuditFilter
from tests.discord.conftest import DiscordBot, running_bot
from tests.discord.helpers import (
    Message,
    approval_id_of,
    click_and_wait,
    custom_ids,
    is_card,
    is_ephemeral,
    shown,
)
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_alertmanager.webhook import firing
from tests.fake_discord import payloads as p
from tests.fake_discord.plugin import ALICE, BOB, VIC
from tests.fake_discord.server import FakeDiscord
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_llm import Call, FakeLLM, Say
from tests.fake_llm.plugin import fake_llm  # noqa: F401  (a fixture)
from tools.alertmanager import alertmanager_operations
from tools.alertmanager.webhook import WebhookAlert
from tools.http_api import HttpEndpoint
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterSet

ALERT = firing("KubePodCrashLooping", namespace="prod", pod="batch-oom", severity="critical")
FP = str(ALERT["fingerprint"])
UNKNOWN_FP = "0123456789abcdef"
ALERTS = {
    "enabled": True,
    "receiver": {"bearer_token_env": "CHATOPS_ALERTS_TOKEN"},  # unset: no webhook gets in here
    "default_places": [{"platform": "discord", "channel": p.CHANNEL_ID}],
    "poll_interval_s": 0.05,
}


@contextlib.asynccontextmanager
async def alerting_bot(
    url: str,
    fake: FakeDiscord,
    alertmanager: FakeAlertmanager,
    clusters: ClusterSet,
    *,
    llm: Mapping[str, Any] | None = None,
) -> AsyncIterator[DiscordBot]:
    """The Discord adapter with the alerts service running (its leader posts the cards)."""
    endpoint = HttpEndpoint(name="am", url=alertmanager.url)
    operations = [
        *alertmanager_operations(endpoints=(endpoint,), clusters=clusters),
        *kubernetes_operations(clusters=clusters, request_timeout_s=5.0),
    ]
    async with running_bot(
        url, fake, extra_operations=operations, clusters=clusters, alerts=ALERTS, llm=llm
    ) as running:
        service = alerts_service(running.app, leader=None)
        await service.start()
        try:
            yield running
        finally:
            await service.stop()


@pytest.fixture
async def bot(
    database_url: str,
    fake_discord: FakeDiscord,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
) -> AsyncIterator[DiscordBot]:
    async with alerting_bot(database_url, fake_discord, fake_alertmanager, fake_cluster_set) as running:
        yield running


async def alert_card(bot: DiscordBot) -> Message:
    await bot.app.store.alerts.upsert(to_input(WebhookAlert.model_validate(ALERT)))
    cards: list[Message] = await bot.fake.wait_for(
        lambda: [m for m in bot.fake.in_channel(p.CHANNEL_ID) if "KubePodCrashLooping" in shown(m)]
    )
    (card,) = cards
    return card


def made_by(bot: DiscordBot, interaction: Message) -> list[Message]:
    """What the click made (its follow-ups), without the card it was clicked on."""
    origin = bot.fake.interactions[interaction["token"]].original
    return [m for m in bot.fake.replies_to(interaction) if m["id"] != origin]


async def test_acknowledge_is_recorded_and_the_card_says_who_in_place(bot: DiscordBot) -> None:
    card = await alert_card(bot)
    assert set(custom_ids(card)) >= {f"chatops:acknowledge:{FP}", f"chatops:silence_1h:{FP}"}
    clicked = await click_and_wait(bot, VIC, card, f"chatops:acknowledge:{FP}")
    (said,) = made_by(bot, clicked)
    assert said["content"] == "Victor acknowledged KubePodCrashLooping." and not is_ephemeral(said)
    assert said["channel_id"] == p.CHANNEL_ID
    redrawn = await bot.fake.wait_for(lambda: "Acknowledged" in shown(bot.fake.messages[card["id"]]))
    assert redrawn
    now = bot.fake.messages[card["id"]]
    assert f"by Victor (discord:{VIC.user_id}) at " in shown(now)
    assert f"chatops:acknowledge:{FP}" not in custom_ids(now)
    facts = await bot.app.store.list_audit(AuditFilter(event="alert.acknowledged"))
    assert [f.user_id for f in facts] == [VIC.user_id]


async def test_silence_is_an_approval_card_that_reaches_alertmanager_once_approved(
    bot: DiscordBot, fake_alertmanager: FakeAlertmanager
) -> None:
    card = await alert_card(bot)
    clicked = await click_and_wait(bot, ALICE, card, f"chatops:silence_1h:{FP}")
    (approval,) = [m for m in made_by(bot, clicked) if is_card(m)]
    assert approval["channel_id"] == p.CHANNEL_ID and not is_ephemeral(approval)
    assert "am_silence" in shown(approval)
    approval_id = approval_id_of(approval)
    assert fake_alertmanager.mutations == []

    refused = await click_and_wait(bot, VIC, approval, f"chatops:approve:{approval_id}")
    (note,) = made_by(bot, refused)
    assert is_ephemeral(note) and "operator" in note["content"]
    assert fake_alertmanager.mutations == []

    await asyncio.gather(
        click_and_wait(bot, BOB, approval, f"chatops:approve:{approval_id}"),
        click_and_wait(bot, BOB, approval, f"chatops:approve:{approval_id}"),
    )
    (post,) = fake_alertmanager.mutations
    assert {m["name"]: m["value"] for m in post.body["matchers"]}["pod"] == "batch-oom"
    record = await bot.app.desk.get(approval_id)
    assert record is not None and record.state is ApprovalState.SUCCEEDED


async def test_a_viewers_silence_is_refused_privately(
    bot: DiscordBot, fake_alertmanager: FakeAlertmanager
) -> None:
    card = await alert_card(bot)
    clicked = await click_and_wait(bot, VIC, card, f"chatops:silence_4h:{FP}")
    (note,) = made_by(bot, clicked)
    assert is_ephemeral(note) and "needs the operator role" in note["content"]
    assert not [m for m in bot.fake.in_channel(p.CHANNEL_ID) if is_card(m)]
    assert fake_alertmanager.mutations == []


async def test_a_button_naming_an_unknown_alert_changes_nothing(
    bot: DiscordBot, fake_alertmanager: FakeAlertmanager
) -> None:
    card = await alert_card(bot)
    # Discord sends only custom ids the bot put on a message: a card of an alert the bot no longer
    # knows (or one made to look like it) carries another fingerprint.
    stale = copy.deepcopy(card)
    for row in stale["components"]:
        for button in row["components"]:
            button["custom_id"] = button["custom_id"].replace(FP, UNKNOWN_FP)
    bot.fake.messages[card["id"]] = stale
    for action in ("silence_1h", "acknowledge"):
        clicked = await click_and_wait(bot, BOB, stale, f"chatops:{action}:{UNKNOWN_FP}")
        (note,) = made_by(bot, clicked)
        assert is_ephemeral(note) and "no longer known" in note["content"]
    assert fake_alertmanager.mutations == []
    assert await bot.app.store.list_audit(AuditFilter(event="alert.acknowledged")) == []
    assert await bot.app.store.list_audit(AuditFilter(event="approval.requested")) == []
    alert = await bot.app.store.alerts.get(FP)
    assert alert is not None and alert.acknowledged_by is None


async def test_a_viewers_investigate_reads_only_and_answers_in_the_cards_channel(
    bot: DiscordBot, fake_k8s: FakeKubernetes
) -> None:
    card = await alert_card(bot)
    fake_k8s.reset_requests()
    clicked = await click_and_wait(bot, VIC, card, f"chatops:investigate:{FP}")
    answers = made_by(bot, clicked)
    text = "\n".join(shown(m) for m in answers)
    assert "batch-oom" in text and "OOMKilled" in text
    assert {m["channel_id"] for m in answers} == {p.CHANNEL_ID}
    assert not any(is_ephemeral(m) for m in answers)
    assert fake_k8s.requests and fake_k8s.mutations() == []
    everything = await bot.app.store.list_audit(AuditFilter(event="operation.proposed"))
    # The alert card's own findings were read by the bot's system principal before it was posted.
    assert {f.operation for f in everything if f.platform == "system"} <= {"k8s_diagnose"}
    proposed = [f for f in everything if f.platform != "system"]
    assert {f.operation for f in proposed} == {"k8s_diagnose"}
    assert {f.user_id for f in proposed} == {VIC.user_id}


async def test_a_fix_the_model_proposes_is_an_approval_card_that_waits(
    database_url: str,
    fake_discord: FakeDiscord,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
    fake_llm: FakeLLM,  # noqa: F811  (a fixture)
) -> None:
    llm = {"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 5}
    fake_llm.push(
        Call.one("k8s_change", "k8s_restart_deployment", {"name": "web", "namespace": "prod"}),
        Say("1. batch-oom runs out of memory. Restarting web clears the backlog."),
    )
    async with alerting_bot(database_url, fake_discord, fake_alertmanager, fake_cluster_set, llm=llm) as bot:
        card = await alert_card(bot)
        clicked = await click_and_wait(bot, ALICE, card, f"chatops:investigate:{FP}")
        answers = made_by(bot, clicked)
        assert "Analysis (language model; check before acting)" in "\n".join(shown(m) for m in answers)
        (approval,) = [m for m in answers if is_card(m)]
        assert approval["channel_id"] == p.CHANNEL_ID and "k8s_restart_deployment" in shown(approval)
        assert fake_k8s.mutations() == []
        approval_id = approval_id_of(approval)
        record = await bot.app.desk.get(approval_id)
        assert record is not None and record.state is ApprovalState.PENDING
        assert record.requester_id == ALICE.user_id

        await click_and_wait(bot, BOB, approval, f"chatops:approve:{approval_id}")
        restarts = [r for r in fake_k8s.mutations() if "deployments/web" in r.path]
        assert len(restarts) == 1
