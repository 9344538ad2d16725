"""A silence is a change like any other: a card with the exact body, nothing sent before approval,
one POST after it, and an undo that expires it. Reads list what fires and what is silenced."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.app import App, build_app
from bot.domain.models import Reply
from bot.domain.render import render_text
from tests.core.fixtures import make_config
from tests.core.helpers import msg, slack_roles
from tests.fake_alertmanager.server import FakeAlertmanager
from tools.alertmanager import alertmanager_operations
from tools.http_api import HttpEndpoint
from tools.kubernetes.clusters import ClusterSet


@pytest.fixture
async def app(
    database_url: str, fake_alertmanager: FakeAlertmanager, fake_cluster_set: ClusterSet
) -> AsyncIterator[App]:
    endpoint = HttpEndpoint(name="am", url=fake_alertmanager.url, bearer_token="am-token-0123456789")
    fake_alertmanager.token = "am-token-0123456789"
    operations = alertmanager_operations(endpoints=(endpoint,), clusters=fake_cluster_set)
    config = make_config(database_url, policy=slack_roles(operators=["UOPS"], admins=["UADMIN"]))
    built = await build_app(config, operations=operations, clusters=fake_cluster_set)
    try:
        yield built
    finally:
        await built.close()


def text_of(replies: list[Reply]) -> str:
    return "\n".join(render_text(r) for r in replies)


async def say(app: App, text: str, user: str = "UOPS") -> list[Reply]:
    return await app.router.handle(msg(text, user, platform="slack", channel="C1"))


async def test_silence_card_shows_the_body_and_nothing_is_sent_before_approval(
    app: App, fake_alertmanager: FakeAlertmanager
) -> None:
    fake_alertmanager.fire("KubePodCrashLooping", namespace="prod", severity="warning")
    fake_alertmanager.fire("KubePodCrashLooping", namespace="staging", severity="warning")
    (card,) = await say(
        app,
        '!silence alertname=KubePodCrashLooping,namespace=prod --duration 4h --comment "fix is rolling out"',
    )
    assert card.approval_id is not None, card.text
    preview = card.code or ""
    assert 'matchers: alertname="KubePodCrashLooping", namespace="prod"' in preview
    assert "add a silence for 4h, starting when it runs" in preview
    assert "comment: fix is rolling out (chatops request" in preview
    assert "silences now: 1 firing alert(s) (KubePodCrashLooping)" in preview
    assert fake_alertmanager.mutations == []
    assert [r.authorization for r in fake_alertmanager.requests] == ["Bearer am-token-0123456789"]

    approved = await say(app, f"!approve {card.approval_id}", user="UADMIN")
    assert "silence" in text_of(approved) and "added until" in text_of(approved)
    (post,) = fake_alertmanager.mutations
    assert post.body["matchers"] == [
        {"name": "alertname", "value": "KubePodCrashLooping", "isRegex": False, "isEqual": True},
        {"name": "namespace", "value": "prod", "isRegex": False, "isEqual": True},
    ]
    assert post.body["comment"] == preview.split("comment: ", 1)[1].split("\n", 1)[0]
    assert await say(app, f"!approve {card.approval_id}", user="UADMIN")  # a second click runs nothing
    assert len(fake_alertmanager.mutations) == 1

    listed = text_of(await say(app, "!alerts"))
    assert "1 alert(s)" in listed and "staging" in listed and " prod " not in listed
    silences = text_of(await say(app, "!silences"))
    assert "1 silence(s)" in silences and 'namespace="prod"' in silences


async def test_undo_expires_the_silence_after_its_own_approval(
    app: App, fake_alertmanager: FakeAlertmanager
) -> None:
    fake_alertmanager.fire("TargetDown", job="api")
    (card,) = await say(app, "!silence alertname=TargetDown")
    await say(app, f"!approve {card.approval_id}", user="UADMIN")
    (sid,) = fake_alertmanager.silences
    (undo,) = [r for r in await say(app, f"!undo {card.approval_id}") if r.approval_id]
    assert f"expire silence {sid}" in (undo.code or "") and "its alerts notify again" in (undo.code or "")
    assert [m.method for m in fake_alertmanager.mutations] == ["POST"]
    await say(app, f"!approve {undo.approval_id}", user="UADMIN")
    assert [m.method for m in fake_alertmanager.mutations] == ["POST", "DELETE"]
    assert fake_alertmanager.silences[sid]["status"]["state"] == "expired"
    (again,) = await say(app, f"!unsilence {sid}")
    assert "has already expired; nothing to do" in again.text


async def test_a_viewer_may_list_but_not_silence(app: App, fake_alertmanager: FakeAlertmanager) -> None:
    fake_alertmanager.fire("HighLatency", namespace="prod")
    assert "1 alert(s)" in text_of(await say(app, "!alerts namespace=prod", user="UVIEW"))
    (refused,) = await say(app, "!silence alertname=HighLatency", user="UVIEW")
    assert refused.approval_id is None and "needs the operator role" in refused.text
    assert fake_alertmanager.mutations == []


@pytest.mark.parametrize(
    ("command", "sentence"),
    [
        ("!silence namespace=~prod.*", "give at least one exact matcher"),
        ("!silence alertname=X --duration 30d", "longer than 7d"),
        ("!silence 'alert name=X'", "is not a matcher"),
    ],
)
async def test_too_wide_or_malformed_silences_are_refused(
    app: App, fake_alertmanager: FakeAlertmanager, command: str, sentence: str
) -> None:
    (refused,) = await say(app, command)
    assert sentence in refused.text and refused.approval_id is None
    assert fake_alertmanager.requests == []
