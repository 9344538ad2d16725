"""`chatops run`: the configured chat adapters and one HTTP server in one process.

Serves `/healthz` (process alive), `/readyz` (database reachable and every
enabled adapter connected), `/metrics` (Prometheus) and whatever routes the
adapters add (Slack's `/slack/events` in HTTP mode). On SIGTERM or SIGINT it
stops taking new work, lets in-flight work finish within the grace period,
marks what could not finish, closes the database and exits 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
import os
import signal
import socket
import sys
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

from aiohttp import web

from bot.app import App, build_app
from bot.gate.metrics import Metrics
from bot.runtime.platforms import PLATFORMS, Platform, ServiceAdapter
from bot.runtime.startup import started
from bot.runtime.sweeper import Leader, Sweeper
from bot.runtime.webhooks import WebhookSender
from bot.settings.config import ConfigError, LoadedConfig

log = logging.getLogger(__name__)

GRACE_S = 25.0


@runtime_checkable
class PortOwner(Protocol):
    """An adapter that serves the service's port itself, with the service's app behind it."""

    async def own_port(self, runner: web.AppRunner, *, host: str, port: int) -> int | None: ...


@dataclasses.dataclass
class Service:
    app: App
    adapters: Sequence[ServiceAdapter]
    webhooks: WebhookSender
    host: str
    port: int
    grace_s: float = GRACE_S
    sweep_interval_s: float = 30.0
    event_retention: dt.timedelta = dt.timedelta(hours=24)
    leader: Leader | None = None  # None: the database's advisory lock
    _runner: web.AppRunner | None = None
    _sweeper: asyncio.Task[None] | None = None
    _stop: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    bound_port: int | None = None

    def web_app(self) -> web.Application:
        web_app = web.Application()
        web_app.router.add_get("/healthz", self.healthz)
        web_app.router.add_get("/readyz", self.readyz)
        web_app.router.add_get("/metrics", self.metrics)
        for adapter in self.adapters:
            adapter.add_routes(web_app)
        return web_app

    async def healthz(self, request: web.Request) -> web.Response:
        return web.json_response({"status": "alive"})

    async def readyz(self, request: web.Request) -> web.Response:
        checks: dict[str, str] = {}
        try:
            await asyncio.wait_for(self.app.store.ping(), timeout=3)
            checks["database"] = "ok"
        except Exception as e:  # readiness reports, never raises
            checks["database"] = f"unreachable: {type(e).__name__}"
        for adapter in self.adapters:
            checks[adapter.name] = "connected" if adapter.is_ready() else "not connected"
        if self.app.router.draining:
            checks["service"] = "draining"
        ready = all(v in ("ok", "connected") for v in checks.values())
        return web.json_response({"ready": ready, "checks": checks}, status=200 if ready else 503)

    async def metrics(self, request: web.Request) -> web.Response:
        body = self.app.metrics.render()
        return web.Response(body=body, headers={"Content-Type": self.app.metrics.content_type})

    async def start(self) -> None:
        # This replica's own leftovers only; expiry and the lease checks are the leader's sweep.
        marked = await self.app.desk.reconcile()
        for row in marked:
            log.warning("approval %s was left unfinished by a stopped bot: %s", row.id, row.state.value)
        await self.webhooks.start()
        self._runner = web.AppRunner(self.web_app(), access_log=None)
        await self._runner.setup()
        self.bound_port = await self._serve(self._runner)
        for adapter in self.adapters:
            await adapter.start()
        await self.app.cards.refresh(marked)  # redraw their cards, on every surface now registered
        if self.adapters and self.sweep_interval_s > 0:
            try:
                await self.sweep_once()  # what expired while no replica was running
            except Exception:  # the loop below tries again; start-up must not fail on one round
                log.exception("the leader's first sweep failed")
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="expiry-sweep")
        log.info(
            "chatops serving on %s:%s with %s",
            self.host,
            self.bound_port,
            ", ".join(a.name for a in self.adapters) or "no adapters",
        )

    async def _serve(self, runner: web.AppRunner) -> int:
        # Slack in HTTP mode answers from a process of its own on this port (acks never wait for work).
        for adapter in self.adapters:
            if isinstance(adapter, PortOwner):
                bound = await adapter.own_port(runner, host=self.host, port=self.port)
                if bound is not None:
                    return bound
        site = web.TCPSite(runner, self.host, self.port)
        await site.start()
        server = getattr(site, "_server", None)
        sockets = getattr(server, "sockets", None) or []
        return int(sockets[0].getsockname()[1]) if sockets else self.port

    @property
    def sweeper(self) -> Sweeper:
        return Sweeper(self.app, self.event_retention, self.leader)

    async def sweep_once(self) -> int:
        """On the leader only: expire due approvals and redraw their cards on every registered
        surface, mark executions past their lease, prune old event ids. Returns how many expired."""
        return (await self.sweeper.sweep_once()).expired

    async def _sweep_forever(self) -> None:
        await self.sweeper.run_forever(self.sweep_interval_s)

    def request_stop(self) -> None:
        self._stop.set()

    async def wait_stopped(self) -> None:
        await self._stop.wait()

    async def shutdown(self) -> int:
        """Drain, mark what could not finish, close everything. Returns the number left unfinished."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        unfinished = await self.app.router.drain(self.grace_s)
        for adapter in self.adapters:
            with contextlib.suppress(Exception):
                await adapter.stop()
        if unfinished:
            marked = await self.app.desk.reconcile(mine=True)
            log.warning(
                "%d request(s) did not finish in %.0fs; %d approval(s) marked outcome_unknown",
                unfinished,
                self.grace_s,
                len(marked),
            )
        await self.webhooks.close()
        if self.leader is not None:
            await self.leader.release()
        if self._runner is not None:
            await self._runner.cleanup()
        await self.app.close()
        return unfinished


async def build_adapters(app: App, platforms: Mapping[str, Platform] = PLATFORMS) -> list[ServiceAdapter]:
    """One adapter per enabled platform section, built by its entry in the table."""
    sections = app.config.settings.chat_sections()
    return [await platform.start(app) for name, platform in platforms.items() if sections[name].enabled]


async def lease_leader(app: App) -> Leader | None:
    """A Kubernetes Lease election when `server.leader_election` is "kubernetes", else None."""
    server = app.config.settings.server
    if server.leader_election != "kubernetes":
        return None
    cluster = app.clusters.default
    namespace = os.environ.get("POD_NAMESPACE") or server.lease_namespace
    if cluster is None or not namespace:
        raise ConfigError(
            "server.leader_election is 'kubernetes' but there is no cluster or no namespace for the Lease; "
            "configure a cluster and set server.lease_namespace (the chart sets POD_NAMESPACE)"
        )
    from tools.kubernetes.lease import LeaseElection

    identity = server.instance_id or socket.gethostname()
    return await LeaseElection.for_cluster(
        cluster, namespace=namespace, name=server.lease_name, identity=identity
    )


async def run_service(loaded: LoadedConfig, *, ready: asyncio.Event | None = None) -> int:
    settings = loaded.settings
    if not any(section.enabled for section in settings.chat_sections().values()):
        switches = " or ".join(f"{name}.enabled" for name in PLATFORMS)
        print(
            f"chatops: no chat adapter is enabled; set {switches} in the config "
            "(for a terminal chat use `chatops chat`)",
            file=sys.stderr,
        )
        return 2
    metrics = Metrics()
    webhooks = WebhookSender(settings.webhooks, secret=loaded.secrets.webhook_secret, metrics=metrics)
    app = await build_app(loaded, metrics=metrics, audit_listeners=[webhooks.observe])
    adapters, leader = await build_adapters(app), await lease_leader(app)
    if settings.alerts.enabled:  # the receiver on every replica; the leader posts (bot/alerts)
        from bot.alerts.service import alerts_service

        adapters.append(alerts_service(app, leader=leader))
    service = Service(
        app,
        adapters,
        webhooks,
        settings.server.host,
        settings.server.port,
        sweep_interval_s=settings.server.sweep_interval_s,
        event_retention=dt.timedelta(hours=settings.server.event_retention_hours),
        leader=leader,
    )
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, service.request_stop)
    await service.start()
    started()
    if ready is not None:
        ready.set()
    await service.wait_stopped()
    await service.shutdown()
    return 0
