"""An alerts service built with `watching=False` (a console on a shared database, where the cluster
watch belongs to `chatops run`'s leader) still posts alert cards but never lists or watches the
cluster, even with the watch enabled in the config; the same config with watching on does."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.alerts.service import alerts_service
from tests.alerts.conftest import ALL, TOKEN, alerts_app
from tests.alerts.fake_surface import FakeSurface
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_alertmanager.webhook import firing, notification, send
from tests.fake_k8s import builders as b
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet

# Names no object, so no diagnosis reads the cluster for its card: every pod read is the watch's.
ALERT = firing("PrometheusRuleFailures", severity="critical")


def pod_reads(fake_k8s: FakeKubernetes) -> list[str]:
    return [r.path for r in fake_k8s.requests if r.path.endswith("/pods")]


async def test_watching_off_posts_the_alert_and_reads_nothing_of_the_cluster(
    database_url: str,
    fake_cluster_set: ClusterSet,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
) -> None:
    fake_k8s.add(b.namespace("prod"))
    app = await alerts_app(
        database_url,
        fake_cluster_set,
        fake_alertmanager,
        watch={"enabled": True, "kinds": ["pods"], "timeout_s": 60},
    )
    try:
        surface = FakeSurface("slack")
        service = alerts_service(app, leader=None, surfaces={"slack": surface}, watching=False)
        web_app = web.Application()
        service.add_routes(web_app)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/alerts/alertmanager"
        try:
            status, _ = await send(url, notification(ALERT), bearer=TOKEN)
            assert status == 200
            await service.round()
            await service.round()
            assert [m.text.split(":")[0] for m in surface.messages(ALL)] == ["FIRING"]
            assert pod_reads(fake_k8s) == []
        finally:
            await service.stop()
            await runner.cleanup()

        watching = alerts_service(app, leader=None, surfaces={"slack": FakeSurface("slack")})
        await watching.round()
        try:
            for _ in range(600):  # the watch lists the pods soon after the round starts it
                if pod_reads(fake_k8s):
                    break
                await asyncio.sleep(0.05)
            assert pod_reads(fake_k8s)
        finally:
            await watching.stop()
    finally:
        await app.close()
