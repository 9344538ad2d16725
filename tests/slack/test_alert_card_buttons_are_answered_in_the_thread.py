"""An alert card posted on Slack: Acknowledge records who took it, Silence 1h files an ordinary approval
card and reaches Alertmanager only once approved; without the alerts service running, a click gets the
router's one sentence."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.alerts.receiver import to_input
from bot.alerts.service import AlertsService, alerts_service
from bot.conversation.alert_clicks import ALERT_BUTTON
from storage.records import AuditFilter
from tests.core.helpers import slack_roles
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_alertmanager.webhook import firing
from tests.fake_slack.server import Call, FakeSlack
from tests.slack.harness import SlackBot, running_bot
from tests.slack.helpers import approval_id_of, buttons, card_calls, shown
from tools.alertmanager import alertmanager_operations
from tools.alertmanager.webhook import WebhookAlert
from tools.http_api import HttpEndpoint
from tools.kubernetes.clusters import ClusterSet

OPS = "C0ALERTS"
ALERT = firing("KubePodCrashLooping", namespace="prod", pod="web-1", severity="critical")
FP = str(ALERT["fingerprint"])


@pytest.fixture
async def bot(
    sqlite_url: str, fake_slack: FakeSlack, fake_alertmanager: FakeAlertmanager
) -> AsyncIterator[SlackBot]:
    clusters = ClusterSet([])
    operations = alertmanager_operations(
        endpoints=(HttpEndpoint(name="am", url=fake_alertmanager.url),), clusters=clusters
    )
    alerts = {
        "enabled": True,
        "receiver": {"bearer_token_env": "CHATOPS_ALERTS_TOKEN"},  # unset: no webhook gets in here
        "default_places": [{"platform": "slack", "channel": OPS}],
        "poll_interval_s": 0.05,
    }
    policy = slack_roles(operators=["UALICE"], admins=["UOLGA"], viewers=["UVIC"])
    async with running_bot(
        sqlite_url, fake_slack, policy=policy, operations=operations, clusters=clusters, alerts=alerts
    ) as running:
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
    assert {m["name"]: m["value"] for m in post.body["matchers"]}["pod"] == "web-1"


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
