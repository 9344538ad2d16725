"""Service mode: /healthz, /readyz, /metrics, and a graceful stop that loses no work."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import aiohttp
from aiohttp import web

from bot.domain.ports import Place
from bot.gate.metrics import Metrics
from bot.runtime.service import Service
from bot.runtime.webhooks import WebhookSender
from storage.records import ApprovalState
from tests.core.conftest import open_app
from tests.core.demo_ops import Backend
from tests.core.helpers import msg
from tests.fakes.surface import RecordingSurface


def _id(reply: Any) -> str:
    """A card's approval id (a card always has one)."""
    assert reply.approval_id is not None
    return str(reply.approval_id)


async def _row(store: Any, approval_id: str) -> Any:
    """The approval row, which must exist."""
    row = await store.get_approval(approval_id)
    assert row is not None
    return row


@dataclasses.dataclass
class StaticAdapter:
    """A stand-in chat adapter whose connection state the test sets."""

    name: str = "slack"
    ready: bool = True
    started: bool = False

    def add_routes(self, web_app: web.Application) -> None:
        async def route(request: web.Request) -> web.Response:
            return web.Response(text="adapter route")

        web_app.router.add_get(f"/adapter/{self.name}", route)

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.started = False

    def is_ready(self) -> bool:
        return self.ready


async def start_service(url: str, backend: Backend, adapter: StaticAdapter, **config) -> Service:
    app = await open_app(url, backend, **config)
    service = Service(app, [adapter], WebhookSender((), secret=None, metrics=Metrics()), "127.0.0.1", 0)
    await service.start()
    return service


async def test_health_ready_and_metrics(sqlite_url: str, backend: Backend) -> None:
    adapter = StaticAdapter()
    service = await start_service(sqlite_url, backend, adapter)
    base = f"http://127.0.0.1:{service.bound_port}"
    try:
        await service.app.router.handle(msg("!demo get"))
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/healthz") as r:
                assert r.status == 200
            async with http.get(f"{base}/readyz") as r:
                body = await r.json()
                assert r.status == 200 and body["checks"] == {"database": "ok", "slack": "connected"}
            adapter.ready = False
            async with http.get(f"{base}/readyz") as r:
                assert r.status == 503 and (await r.json())["checks"]["slack"] == "not connected"
            async with http.get(f"{base}/metrics") as r:
                text = await r.text()
            assert 'chatops_messages_total{kind="command",platform="console"} 1.0' in text
            assert 'chatops_operations_total{operation="demo_get",status="ok"} 1.0' in text
            async with http.get(f"{base}/adapter/slack") as r:
                assert await r.text() == "adapter route"
        assert adapter.started
    finally:
        await service.shutdown()
    assert not adapter.started


async def test_stop_lets_in_flight_work_finish_and_refuses_new_work(sqlite_url: str) -> None:
    backend = Backend(slow_seconds=0.5)
    service = await start_service(sqlite_url, backend, StaticAdapter())
    app = service.app
    card = (await app.router.handle(msg("!demo scale web --replicas 5")))[0]
    running = asyncio.create_task(app.router.handle(msg(f"!approve {_id(card)}")))
    await asyncio.sleep(0.1)
    shutdown = asyncio.create_task(service.shutdown())
    await asyncio.sleep(0.05)
    refused = await app.router.handle(msg("!demo get"))
    assert "restarting" in refused[0].text
    assert await shutdown == 0
    replies = await running
    assert "scaled 2 → 5" in replies[0].text and backend.replicas["web"] == 5


async def test_work_that_outlives_the_grace_period_is_marked(sqlite_url: str) -> None:
    backend = Backend(slow_seconds=30)
    app = await open_app(sqlite_url, backend, server={"instance_id": "me"})
    service = Service(app, [], WebhookSender((), secret=None, metrics=Metrics()), "127.0.0.1", 0, grace_s=0.3)
    await service.start()
    card = (await app.router.handle(msg("!demo scale web --replicas 5")))[0]
    running = asyncio.create_task(app.router.handle(msg(f"!approve {_id(card)}")))
    await asyncio.sleep(0.1)
    # shutdown() drains, marks and closes; read the row through a second app afterwards
    unfinished = await service.shutdown()
    running.cancel()
    assert unfinished == 1
    again = await open_app(sqlite_url, Backend())
    try:
        row = await _row(again.store, _id(card))
        assert row.state is ApprovalState.OUTCOME_UNKNOWN
    finally:
        await again.close()


async def test_one_expiry_sweep_updates_the_card_on_every_surface(sqlite_url: str, backend: Backend) -> None:
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import create_async_engine

    console, slack, discord = (RecordingSurface(p) for p in ("console", "slack", "discord"))
    app = await open_app(sqlite_url, backend)
    service = Service(
        app, [StaticAdapter(name="slack")], WebhookSender((), secret=None, metrics=Metrics()), "127.0.0.1", 0
    )
    await service.start()
    for surface in (console, slack, discord):  # as each adapter does at its start
        app.surfaces.register(surface)
    try:
        card = (await app.router.handle(msg("!demo scale web --replicas 3")))[0]
        for place in (Place("console", "ops"), Place("slack", "C0OPS")):  # shown where people look
            assert await app.cards.show(card, place=place) is not None
        engine = create_async_engine(sqlite_url)
        async with engine.begin() as conn:
            await conn.execute(sa.text("UPDATE approvals SET expires_at = :t"), {"t": "2000-01-01 00:00:00"})
        await engine.dispose()
        assert await service.sweep_once() == 1
        for surface in (console, slack):
            (update,) = surface.updates()  # in place, once
            assert update.reply.approval_id == _id(card) and "expired" in update.text
            assert len(surface.posts()) == 1
        assert discord.sent == []  # it never showed the card: nothing to redraw there
        assert (await _row(app.store, _id(card))).state is ApprovalState.EXPIRED
    finally:
        await service.shutdown()
