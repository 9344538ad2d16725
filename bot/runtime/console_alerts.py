"""Alerts in `chatops chat`: the console shows alert and cluster-event cards, as a chat platform does.

With `alerts.enabled`, the console runs the alerts service of `chatops run`
(`bot/alerts/service.py`) while it converses: a leader election of its own
among consoles (a PostgreSQL advisory lock under another name than the
service's, so a console never takes posting away from `chatops run` on a
shared database, nor its sweeper), the cluster watch (on its own SQLite only:
on a shared database that is `chatops run`'s), and the cards of alerts
already stored, printed on the console's registered surface for places of
platform `console` (the notifier passes over places whose platform has no
surface here, without claiming them, so the service's leader still posts
them); its buttons' handler is registered in
`app.alert_clicks`, so a typed `!ack <fingerprint>` is the same click a chat
button is. The console is local: Alertmanager's receiver is served only when
`alerts.receiver.console_port` is set (on `server.host`). Nothing here
decides what a card says or who may press its buttons.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web

from bot.alerts.service import alerts_service
from bot.app import App
from bot.settings.config import ConfigError
from storage.leadership import Leadership

log = logging.getLogger(__name__)

CONSOLE_LOCK = "chatops.console-alerts"


@contextlib.asynccontextmanager
async def console_alerts(app: App) -> AsyncIterator[None]:
    """The alerts service while the console runs (nothing when `alerts.enabled` is off)."""
    settings = app.config.settings
    if not settings.alerts.enabled:
        yield
        return
    leader = Leadership(app.store.database, name=CONSOLE_LOCK)
    # On a shared database the cluster watch belongs to `chatops run`'s leader: two watchers folding
    # into the same signals would each miss the other's count changes. The console then shows alerts.
    watching = app.store.database.is_sqlite
    if not watching:
        log.warning(
            "the database is shared: the console shows alert cards; the cluster watch runs in chatops run"
        )
    service = alerts_service(app, leader=leader, watching=watching)
    runner: web.AppRunner | None = None
    port = settings.alerts.receiver.console_port
    if port is not None:
        web_app = web.Application()
        service.add_routes(web_app)
        runner = web.AppRunner(web_app, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, settings.server.host, port).start()
        except OSError as e:
            await runner.cleanup()
            raise ConfigError(
                f"alerts.receiver.console_port: cannot listen on {settings.server.host}:{port} "
                f"({e.strerror or e}); choose a free port or leave it out"
            ) from e
        log.info("the Alertmanager receiver listens on %s:%d", settings.server.host, port)
    await service.start()
    try:
        yield
    finally:
        await service.stop()
        if runner is not None:
            await runner.cleanup()
        await leader.release()
