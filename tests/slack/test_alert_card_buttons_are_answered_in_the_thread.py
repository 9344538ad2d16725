"""An alert card posted on Slack: Acknowledge records who took it, Silence 1h files an ordinary approval
card and reaches Alertmanager only once approved, a viewer's Silence is refused privately; Investigate
runs the diagnosis as the clicker in the card's thread (a viewer's reads only) and a fix the model
proposes is an approval card in that thread that waits; without the alerts service running, a click
gets the router's one sentence."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.alerts.receiver import to_input
from bot.alerts.service import AlertsService, alerts_service
from bot.conversation.alert_clicks import ALERT_BUTTON
from storage.records import ApprovalState, AuditFilter
from tests.core.helpers import slack_roles
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_alertmanager.webhook import firing
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_llm import Call as ModelCall
from tests.fake_llm import FakeLLM, Say
from tests.fake_llm.plugin import fake_llm  # noqa: F401  (a fixture)
from tests.fake_slack.server import Call, FakeSlack
from tests.slack.harness import SlackBot, running_bot
from tests.slack.helpers import approval_id_of, buttons, card_calls, shown
from tools.alertmanager import alertmanager_operations
from tools.alertmanager.webhook import WebhookAlert
from tools.http_api import HttpEndpoint
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterSet

OPS = "C0ALERTS"
ALERT = firing("KubePodCrashLooping", namespace="prod", pod="batch-oom", severity="critical")
FP = str(ALERT["fingerprint"])


@contextlib.asynccontextmanager
async def alerting_bot(
    url: str,
    fake: FakeSlack,
    alertmanager: FakeAlertmanager,
    clusters: ClusterSet,
    *,
    llm: dict[str, Any] | None = None,
) -> AsyncIterator[SlackBot]:
    operations = [
        *alertmanager_operations(
            endpoints=(HttpEndpoint(name="am", url=alertmanager.url),), clusters=clusters
        ),
        *kubernetes_operations(clusters=clusters, request_timeout_s=5.0),
    ]
    alerts = {
        "enabled": True,
        "receiver": {"bearer_token_env": "CHATOPS_ALERTS_TOKEN"},  # unset: no webhook gets in here
        "default_places": [{"platform": "slack", "channel": OPS}],
        "poll_interval_s": 0.05,
    }
    policy = slack_roles(operators=["UALICE"], admins=["UOLGA"], viewers=["UVIC"])
    async with running_bot(
        url, fake, policy=policy, operations=operations, clusters=clusters, alerts=alerts, llm=llm
    ) as running:
        yield running


@pytest.fixture
async def bot(
    database_url: str,
    fake_slack: FakeSlack,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
) -> AsyncIterator[SlackBot]:
    async with alerting_bot(database_url, fake_slack, fake_alertmanager, fake_cluster_set) as running:
        yield running


@pytest.fixture
async def service(bot: SlackBot) -> AsyncIterator[AlertsService]:
    running = alerts_service(bot.app, leader=None)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def alert_card(bot: SlackBot) -> Call:
    await bot.app.store.alerts.upsert(to_input(WebhookAlert.model_validate(ALERT)))
    (call,) = await bot.fake.wait_for("chat.postMessage")
    assert call.args["channel"] == OPS and "KubePodCrashLooping" in shown(call.json_arg("blocks"))
    return call


async def click(bot: SlackBot, action: str, card: Call, *, user: str, value: str = FP) -> None:
    answer = await bot.sender.click(
        action, value, user=user, channel=card.args["channel"], message_ts=bot.fake.result_of(card)["ts"]
    )
    assert answer.status == 200
    await bot.settle()


async def test_acknowledge_records_who_took_the_alert(bot: SlackBot, service: AlertsService) -> None:
    card = await alert_card(bot)
    assert {b["action_id"] for b in buttons(card.json_arg("blocks"))} >= {
        "chatops_acknowledge",
        "chatops_silence_1h",
        "chatops_investigate",
    }
    assert {b["value"] for b in buttons(card.json_arg("blocks"))} == {FP}
    await click(bot, "acknowledge", card, user="UVIC")
    said = [shown(c.json_arg("blocks")) for c in bot.fake.calls_to("chat.postMessage")]
    assert any("acknowledged KubePodCrashLooping" in text for text in said)
    facts = await bot.app.store.list_audit(AuditFilter(event="alert.acknowledged"))
    assert [f.user_id for f in facts] == ["UVIC"]


async def test_silence_files_an_approval_and_reaches_alertmanager_only_once_approved(
    bot: SlackBot, service: AlertsService, fake_alertmanager: FakeAlertmanager
) -> None:
    card = await alert_card(bot)
    await click(bot, "silence_1h", card, user="UALICE")
    posted = card_calls(bot.fake.calls_to("chat.postMessage"))
    (approval,) = [c for c in posted if "am_silence" in shown(c.json_arg("blocks"))]
    assert fake_alertmanager.mutations == []
    await click(bot, "approve", approval, user="UOLGA", value=approval_id_of(approval))
    (post,) = fake_alertmanager.mutations
    assert {m["name"]: m["value"] for m in post.body["matchers"]}["pod"] == "batch-oom"


async def test_a_viewers_silence_is_refused_privately(
    bot: SlackBot, service: AlertsService, fake_alertmanager: FakeAlertmanager
) -> None:
    card = await alert_card(bot)
    await click(bot, "silence_4h", card, user="UVIC")
    (note,) = bot.fake.calls_to("chat.postEphemeral")
    assert note.args["user"] == "UVIC" and "needs the operator role" in note.args["text"]
    assert len(bot.fake.calls_to("chat.postMessage")) == 1  # the alert card alone
    assert fake_alertmanager.mutations == []


def in_thread(bot: SlackBot, card: Call) -> list[Call]:
    ts = bot.fake.result_of(card)["ts"]
    return [c for c in bot.fake.calls_to("chat.postMessage") if c.args.get("thread_ts") == ts]


async def test_a_viewers_investigate_reads_only_and_answers_in_the_cards_thread(
    bot: SlackBot, service: AlertsService, fake_k8s: FakeKubernetes
) -> None:
    card = await alert_card(bot)
    fake_k8s.reset_requests()
    await click(bot, "investigate", card, user="UVIC")
    answers = in_thread(bot, card)
    text = "\n".join(str(c.args.get("text")) + shown(c.json_arg("blocks")) for c in answers)
    assert "batch-oom" in text and "OOMKilled" in text
    assert len(answers) == len(bot.fake.calls_to("chat.postMessage")) - 1  # all but the card itself
    assert fake_k8s.requests and fake_k8s.mutations() == []
    everything = await bot.app.store.list_audit(AuditFilter(event="operation.proposed"))
    # The alert card's own findings were read by the bot's system principal before it was posted.
    assert {f.operation for f in everything if f.platform == "system"} <= {"k8s_diagnose"}
    proposed = [f for f in everything if f.platform != "system"]
    assert {(f.operation, f.user_id) for f in proposed} == {("k8s_diagnose", "UVIC")}


async def test_a_fix_the_model_proposes_is_an_approval_card_in_the_thread_that_waits(
    database_url: str,
    fake_slack: FakeSlack,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
    fake_llm: FakeLLM,  # noqa: F811  (a fixture)
) -> None:
    fake_llm.push(
        ModelCall.one("k8s_change", "k8s_restart_deployment", {"name": "web", "namespace": "prod"}),
        Say("1. batch-oom runs out of memory. Restarting web clears the backlog."),
    )
    llm = {"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 5}
    async with alerting_bot(database_url, fake_slack, fake_alertmanager, fake_cluster_set, llm=llm) as bot:
        running = alerts_service(bot.app, leader=None)
        await running.start()
        try:
            card = await alert_card(bot)
            await click(bot, "investigate", card, user="UALICE")
            (approval,) = card_calls(in_thread(bot, card))
            assert "k8s_restart_deployment" in shown(approval.json_arg("blocks"))
            assert any("Analysis (language model" in str(c.args.get("text")) for c in in_thread(bot, card))
            assert fake_k8s.mutations() == []
            record = await bot.app.desk.get(approval_id_of(approval))
            assert record is not None and record.state is ApprovalState.PENDING
            assert (record.requester_id, record.thread) == ("UALICE", bot.fake.result_of(card)["ts"])

            await click(bot, "approve", approval, user="UOLGA", value=approval_id_of(approval))
            assert len([r for r in fake_k8s.mutations() if "deployments/web" in r.path]) == 1
        finally:
            await running.stop()


async def test_without_the_alerts_service_a_click_gets_one_sentence(bot: SlackBot) -> None:
    await bot.app.store.alerts.upsert(to_input(WebhookAlert.model_validate(ALERT)))
    answer = await bot.sender.click(
        "acknowledge", FP, user="UVIC", channel=OPS, message_ts="1700000000.000100"
    )
    assert answer.status == 200
    await bot.settle()
    (note,) = bot.fake.calls_to("chat.postEphemeral")
    assert note.args["user"] == "UVIC" and note.args["text"] == ALERT_BUTTON
    assert await bot.app.store.list_audit(AuditFilter(event="alert.acknowledged")) == []
