"""In `chatops run` the receiver is one more route of the service's web app: refused without
credentials, taken with them, posted by the leader's loop, counted in /metrics, and stopped with
the service."""

from __future__ import annotations

import aiohttp

from bot.alerts.service import alerts_service
from bot.gate.metrics import Metrics
from bot.runtime.service import Service
from bot.runtime.webhooks import WebhookSender
from tests.alerts.conftest import TOKEN, alerts_app
from tests.alerts.fake_surface import FakeSurface
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_alertmanager.webhook import firing, notification, send
from tools.kubernetes.clusters import ClusterSet


async def test_the_service_mounts_the_receiver_and_the_leader_posts(
    sqlite_url: str, fake_cluster_set: ClusterSet, fake_alertmanager: FakeAlertmanager
) -> None:
    app = await alerts_app(sqlite_url, fake_cluster_set, fake_alertmanager)
    surface = FakeSurface("slack")
    alerts = alerts_service(app, surfaces={"slack": surface}, leader=None)
    service = Service(app, [alerts], WebhookSender((), secret=None, metrics=Metrics()), "127.0.0.1", 0)
    await service.start()
    base = f"http://127.0.0.1:{service.bound_port}"
    try:
        status, _ = await send(
            f"{base}/alerts/alertmanager", notification(firing("Forged", namespace="prod"))
        )
        assert status == 401
        status, _ = await send(
            f"{base}/alerts/alertmanager", notification(firing("NodeDown", node="n1")), bearer=TOKEN
        )
        assert status == 200
        await surface.wait_for(lambda s: len(s.posts) == 1)
        assert surface.posts[0].reply.text.startswith("FIRING: NodeDown")
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/readyz") as r:
                assert (await r.json())["checks"]["alerts"] == "connected"
            async with http.get(f"{base}/metrics") as r:
                text = await r.text()
        assert 'chatops_alerts_received_total{change="new",status="firing"} 1.0' in text
        assert 'chatops_alert_webhooks_refused_total{reason="unauthorized"} 1.0' in text
        assert 'chatops_alert_cards_total{action="posted",kind="alert"} 1.0' in text
        assert 'chatops_alert_leader_changes_total{change="gained"} 1.0' in text
    finally:
        await service.shutdown()
    assert not alerts.is_ready()
