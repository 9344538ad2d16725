"""Outbound webhooks: signed JSON, retried after a 500, filtered by event, never blocking a reply."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.runtime.webhooks import WebhookSender
from bot.settings.config import WebhookEntry
from tests.core.fixtures import Apps
from tests.core.helpers import msg

SECRET = "whsec-test-0123456789"


Handler = Callable[[web.Request], Awaitable[web.Response]]


async def serve(hook: Handler) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/hook", hook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}/hook"


async def test_deliveries_are_signed_retried_and_filtered(apps: Apps, sqlite_url: str) -> None:
    received: list[dict[str, Any]] = []
    statuses: list[int] = []
    both = asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        if not statuses:
            statuses.append(500)
            return web.Response(status=500)
        ts = request.headers["X-Chatops-Timestamp"]
        expected = (
            "sha256=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
        )
        assert request.headers["X-Chatops-Signature"] == expected
        statuses.append(200)
        received.append({"event": request.headers["X-Chatops-Event"], **json.loads(body)})
        if len(received) == 2:
            both.set()
        return web.Response(status=204)

    runner, url = await serve(hook)
    app = await apps.open(sqlite_url)
    sender = WebhookSender(
        [WebhookEntry(url=url, events=("approval.requested", "operation.executed"))],
        secret=SECRET,
        metrics=app.executor.metrics,
        max_wait_s=0.2,
    )
    app.executor.auditor.listeners.append(sender.observe)
    await sender.start()
    try:
        card = (await app.router.handle(msg("!demo scale web --replicas 3")))[0]
        await app.router.handle(msg(f"!approve {card.approval_id}"))
        await asyncio.wait_for(both.wait(), timeout=30)
    finally:
        await sender.close()
        await runner.cleanup()
    assert statuses[0] == 500, "the first delivery failed and was retried"
    assert [r["event"] for r in received] == ["approval.requested", "operation.executed"]
    assert received[0]["approval_id"] == card.approval_id
    assert received[1]["operation"] == "demo_scale" and received[1]["status"] == "ok"


async def test_a_webhook_that_does_not_answer_never_holds_up_a_reply(apps: Apps, sqlite_url: str) -> None:
    arrived, release = asyncio.Event(), asyncio.Event()

    async def hook(request: web.Request) -> web.Response:
        arrived.set()
        await release.wait()
        return web.Response(status=204)

    runner, url = await serve(hook)
    app = await apps.open(sqlite_url)
    sender = WebhookSender(
        [WebhookEntry(url=url, events=("approval.requested",))], secret=SECRET, metrics=app.executor.metrics
    )
    app.executor.auditor.listeners.append(sender.observe)
    await sender.start()
    try:
        # The reply comes back while the receiver still holds the delivery open (released only below).
        replies = await app.router.handle(msg("!demo scale web --replicas 3"))
        assert replies[0].approval_id
        await asyncio.wait_for(arrived.wait(), timeout=30)
        release.set()
    finally:
        release.set()
        await sender.close(grace_s=5)
        await runner.cleanup()
    assert 'chatops_webhook_deliveries_total{outcome="delivered"} 1.0' in app.executor.metrics.render().decode()


async def test_an_unreachable_webhook_is_counted_as_failed(
    apps: Apps, sqlite_url: str, unused_tcp_port: int
) -> None:
    app = await apps.open(sqlite_url)
    sender = WebhookSender(
        [WebhookEntry(url=f"http://127.0.0.1:{unused_tcp_port}/x", events=("approval.requested",))],
        secret=SECRET,
        metrics=app.executor.metrics,
        attempts=2,
        max_wait_s=0.1,
    )
    app.executor.auditor.listeners.append(sender.observe)
    await sender.start()
    try:
        replies = await app.router.handle(msg("!demo scale web --replicas 3"))
        assert replies[0].approval_id
    finally:
        await sender.close(grace_s=5)
    assert 'chatops_webhook_deliveries_total{outcome="failed"} 1.0' in app.executor.metrics.render().decode()
