"""The receiver takes Alertmanager's notification only with the configured bearer token or basic-auth
credentials: anything else is a 401, and nothing is stored, audited or posted."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from storage.records import AuditFilter
from tests.alerts.conftest import PASSWORD, TOKEN, World
from tests.fake_alertmanager.webhook import firing, notification, send

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
ALERT = firing("KubePodCrashLooping", namespace="prod", pod="web-1", severity="critical")


async def nothing_happened(world: World) -> None:
    assert await world.app.store.alerts.changed_since(EPOCH) == []
    assert await world.app.store.list_audit(AuditFilter(event="alert.received")) == []
    await world.service.round()
    assert world.surface.posts == []


@pytest.mark.parametrize(
    "credentials",
    [
        {},
        {"bearer": "wrong-token"},
        {"bearer": TOKEN[:-1]},
        {"basic": ("alertmanager", "wrong")},
        {"basic": ("someone", PASSWORD)},
    ],
    ids=["none", "wrong-token", "truncated-token", "wrong-password", "wrong-user"],
)
async def test_a_notification_without_the_right_credentials_is_refused(
    world: World, credentials: dict[str, Any]
) -> None:
    status, text = await send(world.url, notification(ALERT), **credentials)
    assert status == 401 and "bearer token or basic-auth" in text
    await nothing_happened(world)
    refused = world.app.metrics.alert_webhooks_refused.labels("unauthorized")._value.get()
    assert refused == 1


@pytest.mark.parametrize(
    "credentials", [{"bearer": TOKEN}, {"basic": ("alertmanager", PASSWORD)}], ids=["bearer", "basic"]
)
async def test_either_way_alertmanager_authenticates_is_accepted(
    world: World, credentials: dict[str, Any]
) -> None:
    status, text = await send(world.url, notification(ALERT), **credentials)
    assert status == 200 and '"new": 1' in text
    (stored,) = await world.app.store.alerts.firing()
    assert stored.labels["pod"] == "web-1" and stored.ends_at is None
    (fact,) = await world.app.store.list_audit(AuditFilter(event="alert.received"))
    assert fact.detail["alertname"] == "KubePodCrashLooping" and fact.platform == "alertmanager"


@pytest.mark.parametrize(
    ("body", "sentence"),
    [
        (b"not json", "not valid JSON"),
        (b'{"version": "3", "alerts": []}', "payload version '3' is not 4"),
        (b'{"version": "4", "status": "firing", "alerts": [{"status": "on fire"}]}', "alerts.0.status"),
        (b"[" * 100 + b"]" * 100, "nested more than"),
    ],
)
async def test_a_malformed_notification_is_refused_in_one_sentence(
    world: World, body: bytes, sentence: str
) -> None:
    status, text = await send(world.url, body, bearer=TOKEN)
    assert status == 400 and sentence in text
    assert text.count("\n") == 0
    await nothing_happened(world)


async def test_an_oversized_notification_is_refused_unread(world: World) -> None:
    status, _ = await send(world.url, b"x" * (3 * 1024 * 1024), bearer=TOKEN)
    assert status == 413
    await nothing_happened(world)
