"""Outbound webhooks: signed JSON, retried after a 500, filtered by event, never blocking a reply."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from typing import Any

from aiohttp import web

from bot.gate.metrics import Metrics
from bot.runtime.webhooks import WebhookSender
from bot.settings.config import WebhookEntry
from tests.core.conftest import open_app
from tests.core.demo_ops import Backend
from tests.core.helpers import msg

SECRET = "whsec-test-0123456789"


async def receiver(fail_first: int) -> tuple[web.AppRunner, str, list[dict[str, Any]], list[int]]:
    received: list[dict[str, Any]] = []
    statuses: list[int] = []

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        if len(statuses) < fail_first:
            statuses.append(500)
            return web.Response(status=500)
        ts = request.headers["X-Chatops-Timestamp"]
        expected = (
            "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        assert request.headers["X-Chatops-Signature"] == expected
        statuses.append(200)
        received.append({"event": request.headers["X-Chatops-Event"], **json.loads(body)})
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    server = site._server
    assert isinstance(server, asyncio.base_events.Server)
    port = server.sockets[0].getsockname()[1]
    return runner, f"http://127.0.0.1:{port}/hook", received, statuses


async def test_deliveries_are_signed_retried_and_filtered(sqlite_url: str) -> None:
    runner, url, received, statuses = await receiver(fail_first=1)
    metrics = Metrics()
    sender = WebhookSender(
        [WebhookEntry(url=url, events=("approval.requested", "operation.executed"))],
        secret=SECRET,
        metrics=metrics,
        max_wait_s=0.2,
    )
    app = await open_app(sqlite_url, Backend(), metrics=metrics, audit_listeners=(sender.observe,))
    await sender.start()
    try:
        card = (await app.router.handle(msg("!demo scale web --replicas 3")))[0]
        await app.router.handle(msg(f"!approve {card.approval_id}"))
        for _ in range(100):
            if len(received) >= 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await sender.close()
        await app.close()
        await runner.cleanup()
    assert statuses[0] == 500, "the first delivery failed and was retried"
    assert [r["event"] for r in received] == ["approval.requested", "operation.executed"]
    assert received[0]["approval_id"] == card.approval_id
    assert received[1]["operation"] == "demo_scale" and received[1]["status"] == "ok"


async def test_an_unreachable_webhook_never_blocks_a_reply(sqlite_url: str, unused_tcp_port: int) -> None:
    metrics = Metrics()
    sender = WebhookSender(
        [WebhookEntry(url=f"http://127.0.0.1:{unused_tcp_port}/x")],
        secret=SECRET,
        metrics=metrics,
        attempts=2,
        max_wait_s=0.1,
    )
    app = await open_app(sqlite_url, Backend(), metrics=metrics, audit_listeners=(sender.observe,))
    await sender.start()
    try:
        replies = await asyncio.wait_for(app.router.handle(msg("!demo scale web --replicas 3")), timeout=2)
        assert replies[0].approval_id
    finally:
        await sender.close(grace_s=2)
        await app.close()
    assert 'chatops_webhook_deliveries_total{outcome="failed"}' in app.metrics.render().decode()
