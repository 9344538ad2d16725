"""An app with alerts on: the receiver on a real HTTP port, a fake chat surface, the fake Alertmanager
(silences), the fake Kubernetes API (diagnosis) and, when a test asks, the fake Prometheus (charts),
on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web

from bot.alerts.service import AlertsService, alerts_service
from bot.app import App, build_app
from bot.settings.config import LoadedConfig, Secrets, parse_settings
from tests.alerts.fake_surface import FakeSurface
from tests.core.helpers import slack_roles
from tests.fake_alertmanager.server import FakeAlertmanager
from tools.alertmanager import alertmanager_operations
from tools.http_api import HttpEndpoint
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterSet
from tools.prometheus import PrometheusEndpoint, PrometheusSettings, prometheus_operations

TOKEN = "hook-token-3f9a7c1e5b2d4068"
PASSWORD = "hook-password-8e1d2c7b"
NAMED = {"CHATOPS_ALERTS_TOKEN": TOKEN, "CHATOPS_ALERTS_PASSWORD": PASSWORD}
PROD, ALL = "C-PROD", "C-ALL"


def alerts_settings(**overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "enabled": True,
        "receiver": {
            "bearer_token_env": "CHATOPS_ALERTS_TOKEN",
            "username": "alertmanager",
            "password_env": "CHATOPS_ALERTS_PASSWORD",
        },
        "routes": [
            {"match": ["severity=info"], "places": []},
            {"match": ["namespace=prod"], "places": [{"platform": "slack", "channel": PROD}]},
        ],
        "default_places": [{"platform": "slack", "channel": ALL}],
        "flood": {"new_cards_per_minute": 5},
        "poll_interval_s": 0.05,
    }
    settings.update(overrides)
    return settings


@dataclasses.dataclass
class World:
    app: App
    service: AlertsService
    surface: FakeSurface
    url: str  # the receiver's


async def alerts_app(
    database_url: str,
    clusters: ClusterSet,
    alertmanager: FakeAlertmanager,
    *,
    prometheus_url: str | None = None,
    policy: dict[str, Any] | None = None,
    **alerts: Any,
) -> App:
    """An app whose config turns alerts on (`alerts` overrides keys of `alerts_settings()`, `policy`
    adds keys to the policy section), with a Prometheus at `prometheus_url` when given."""
    endpoint = HttpEndpoint(name="am", url=alertmanager.url)
    prometheus = PrometheusSettings(
        endpoints=(PrometheusEndpoint(name="main", url=prometheus_url),) if prometheus_url else ()
    )
    operations = [
        *alertmanager_operations(endpoints=(endpoint,), clusters=clusters),
        *kubernetes_operations(clusters=clusters, request_timeout_s=5.0),
        *prometheus_operations(settings=prometheus, clusters=clusters),
    ]
    document = {
        "storage": {"url": database_url},
        "policy": slack_roles(operators=["UOPS"], admins=["UADMIN"]) | (policy or {}),
        "alerts": alerts_settings(**alerts),
    }
    config = LoadedConfig(settings=parse_settings(document), secrets=Secrets(named=NAMED), source=None)
    return await build_app(config, operations=operations, clusters=clusters)


async def open_world(
    database_url: str,
    clusters: ClusterSet,
    alertmanager: FakeAlertmanager,
    *,
    surface: FakeSurface | None = None,
    prometheus_url: str | None = None,
    policy: dict[str, Any] | None = None,
    **alerts: Any,
) -> tuple[World, web.AppRunner]:
    """An app (a replica) with alerts on; pass another replica's `surface` to share one chat."""
    app = await alerts_app(
        database_url, clusters, alertmanager, prometheus_url=prometheus_url, policy=policy, **alerts
    )
    surface = surface or FakeSurface("slack")
    service = alerts_service(app, surfaces={"slack": surface}, leader=None)
    web_app = web.Application()
    service.add_routes(web_app)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return World(app, service, surface, f"http://127.0.0.1:{port}/alerts/alertmanager"), runner


@pytest.fixture
async def world(
    database_url: str, fake_cluster_set: ClusterSet, fake_alertmanager: FakeAlertmanager
) -> AsyncIterator[World]:
    opened, runner = await open_world(database_url, fake_cluster_set, fake_alertmanager)
    try:
        yield opened
    finally:
        await opened.service.stop()
        await runner.cleanup()
        await opened.app.close()
