"""Alerts in `chatops run`: the receiver on every replica, the poster and the watch on the leader.

`AlertsService` plugs into the service like an adapter (routes, start, stop,
readiness). Every replica mounts the receiver. One loop asks the leader
election (the sweeper's: a PostgreSQL advisory lock or a Kubernetes Lease)
whether this replica leads; the leader runs the cluster watches and posts:
alerts written since its last look (by any replica: the database is the
hand-over), and whatever the watch reports. On each round it also brings the
watches in step with the config and the `!watch` subscriptions any replica
stored (`bot/alerts/watches.py`), keeps the silences approved from alert cards
and expires those "until resolved" whose alert resolved (`silences`). While it
runs, its card buttons'
handler is registered with the app's `alert_clicks` (every replica answers
clicks). When leadership moves, the
watches stop here and start there, resuming from the stored positions.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from aiohttp import web

from bot.alerts.actions import AlertActions
from bot.alerts.cards import alert_card
from bot.alerts.findings import AlertFindings
from bot.alerts.flood import FloodControl
from bot.alerts.notifier import Card, Notifier, SurfaceLookup
from bot.alerts.receiver import AlertReceiver, RecordFn, credentials_from
from bot.alerts.routes import Routes, alert_labels
from bot.alerts.silences import EXPIRE_OPERATION, AlertSilenceKeeper
from bot.alerts.subscriptions import SignalRouting
from bot.alerts.watches import ClusterWatches
from bot.app import App
from bot.conversation.alert_clicks import AlertClicks
from bot.domain.events import AuditEvent
from bot.gate.audit import Auditor
from bot.gate.audit_log import RequestAudit
from bot.gate.metrics import Metrics
from bot.settings.alerts_settings import AlertsSettings
from storage.alert_records import AlertRecord, SilenceRecord
from storage.store import Store
from tools.base import Attachment
from tools.kubernetes.clusters import ClusterConfig
from tools.kubernetes.watch import Backoff

log = logging.getLogger(__name__)

OVERLAP = dt.timedelta(seconds=5)  # re-read a little behind the cursor: clocks of replicas differ
CATCH_UP = dt.timedelta(hours=1)  # a new leader looks this far back for cards another left undone


class Leader(Protocol):
    async def is_leader(self) -> bool: ...


def alert_view(
    alert: AlertRecord,
    *,
    now: dt.datetime,
    files: tuple[Attachment, ...] = (),
    silences: Sequence[SilenceRecord] = (),
) -> Card:
    return Card(
        subject=f"alert:{alert.fingerprint}",
        kind="alert",
        count=alert.version,  # every stored change (resolved, re-fired, acknowledged) redraws the card
        state=alert.status,
        title=f"{alert.alertname} ({alert.labels.get('severity', 'none')})",
        reply=alert_card(alert, now=now, files=files, silences=silences),
        # Stored firing before it resolved (a later version): it fired and resolved between two looks
        # of the leader (a hand-over, a busy round), and its card still has to say it happened.
        fired=alert.status == "firing" or alert.version > 1,
    )


@dataclasses.dataclass
class AlertsService:
    settings: AlertsSettings
    store: Store
    receiver: AlertReceiver
    notifier: Notifier
    routes: Routes
    leader: Leader
    metrics: Metrics
    actions: AlertActions
    watches: ClusterWatches
    silences: AlertSilenceKeeper
    backoff: type[Backoff] = Backoff
    clicks: AlertClicks | None = None  # where the card buttons' handler is registered while running
    findings: AlertFindings | None = None  # what a new alert's object shows, looked at before its card
    watching: bool = True  # False: this service posts alert cards but leaves the cluster watch to another
    name: str = "alerts"
    leading: bool = False
    _poke: asyncio.Event = dataclasses.field(default_factory=asyncio.Event)
    _loop: asyncio.Task[None] | None = None
    _cursor: dt.datetime | None = None
    _retry: set[str] = dataclasses.field(default_factory=set)  # fingerprints whose cards are not out yet

    # -- as the service sees an adapter ------------------------------------------------
    def add_routes(self, web_app: web.Application) -> None:
        web_app.router.add_post(self.settings.receiver.path, self.receiver.handle)

    async def start(self) -> None:
        if self.clicks is not None:
            self.clicks.register(self.actions.click)
        self._loop = asyncio.create_task(self._lead_forever(), name="alerts-leader")

    async def stop(self) -> None:
        if self.clicks is not None:
            self.clicks.unregister(self.actions.click)
        if self._loop is not None:
            self._loop.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._loop
            self._loop = None
        await self._stop_watches()

    def is_ready(self) -> bool:
        return self._loop is not None and not self._loop.done()

    # -- the leader's work ----------------------------------------------------------------
    def poke(self) -> None:
        """Something arrived here: look now instead of at the next poll."""
        self._poke.set()

    async def round(self) -> bool:
        """One round: take or confirm leadership, start or stop the watches, post what changed."""
        try:
            leads = await self.leader.is_leader()
        except Exception:  # never raises by contract; a broken election must not end the loop
            log.exception("the leader election failed")
            leads = False
        if leads and not self.leading:
            self.leading = True
            self.metrics.leader_changes.labels("gained").inc()
            self._cursor = dt.datetime.now(dt.UTC) - CATCH_UP
            self.silences.restart()
        elif not leads and self.leading:
            self.leading = False
            self.metrics.leader_changes.labels("lost").inc()
            await self._stop_watches()
        if self.leading:
            await self.sync_alerts()
            await self._sync_watches()
        return self.leading

    async def sync_alerts(self) -> int:
        """Keep the silences approved since the last look and expire those whose alert resolved, then
        bring the cards of every alert written since the last look up to date; returns how many."""
        await self.silences.collect()
        await self.silences.expire_due()  # a card redrawn below says so
        since = (self._cursor or dt.datetime.now(dt.UTC) - CATCH_UP) - OVERLAP
        alerts = {a.fingerprint: a for a in await self.store.alerts.changed_since(since)}
        for fingerprint in self._retry - set(alerts):
            if (again := await self.store.alerts.get(fingerprint)) is not None:
                alerts[fingerprint] = again
        routed = {fp: self.routes.places_for(alert_labels(a)) for fp, a in alerts.items()}
        found = {}
        if self.findings is not None:  # before the first post: what the labelled object shows
            found = await self.findings.complete([a for a in alerts.values() if routed[a.fingerprint]])
        now = dt.datetime.now(dt.UTC)
        silenced = await self.store.silences.for_alerts(list(alerts))
        for alert in alerts.values():
            # The cursor stays at what was read: the findings' own write is later than others' writes.
            shown, files = found.get(alert.fingerprint, (alert, ()))
            view = alert_view(shown, now=now, files=files, silences=silenced.get(alert.fingerprint, ()))
            done = await self.notifier.show(view, routed[alert.fingerprint])
            if done:
                self._retry.discard(alert.fingerprint)
            else:
                self._retry.add(alert.fingerprint)
            self._cursor = max(self._cursor or alert.updated_at, alert.updated_at)
        await self.notifier.flush()
        return len(alerts)

    async def _lead_forever(self) -> None:
        while True:
            self._poke.clear()
            try:
                await self.round()
            except Exception:  # one bad round (a database blip) must not stop the poster
                log.exception("the alerts round failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._poke.wait(), timeout=self.settings.poll_interval_s)

    async def _sync_watches(self) -> None:
        """Watch what the config and the subscriptions ask for now (started, changed or stopped)."""
        if not self.watching:
            return
        self.watches.backoff = self.backoff
        await self.watches.sync()

    async def _stop_watches(self) -> None:
        await self.watches.stop()


def build_alerts_service(
    *,
    settings: AlertsSettings,
    store: Store,
    metrics: Metrics,
    surfaces: SurfaceLookup,
    leader: Leader,
    owner: str,
    named: Mapping[str, str],
    actions: AlertActions,
    silences: AlertSilenceKeeper,
    clusters: Sequence[ClusterConfig] = (),
    known_clusters: Sequence[ClusterConfig] = (),
    record: RecordFn | None = None,
    backoff: type[Backoff] = Backoff,
    clicks: AlertClicks | None = None,
    findings: AlertFindings | None = None,
) -> AlertsService:
    """`clusters`: the config's watch; `known_clusters`: every cluster a subscription may name."""
    notifier = Notifier(
        store=store,
        surfaces=surfaces,
        flood=FloodControl(limit=settings.flood.new_cards_per_minute, window_s=settings.flood.window_s),
        owner=owner,
        metrics=metrics,
        stale_after=dt.timedelta(seconds=settings.card_claim_stale_s),
        record=record,
    )
    receiver = AlertReceiver(
        store=store, credentials=credentials_from(settings.receiver, named), metrics=metrics, record=record
    )
    routes = Routes.from_settings(settings)
    watches = ClusterWatches(
        store=store,
        notifier=notifier,
        routing=SignalRouting.from_settings(settings, clusters=[c.name for c in clusters]),
        metrics=metrics,
        settings=settings.watch,
        clusters={c.name: c for c in (*known_clusters, *clusters)},
        backoff=backoff,
    )
    service = AlertsService(
        settings=settings,
        store=store,
        receiver=receiver,
        notifier=notifier,
        routes=routes,
        leader=leader,
        metrics=metrics,
        actions=actions,
        watches=watches,
        silences=silences,
        backoff=backoff,
        clicks=clicks,
        findings=findings,
    )
    receiver.on_change = service.poke
    return service


def alerts_service(
    app: App, *, leader: Leader | None, surfaces: SurfaceLookup | None = None, watching: bool = True
) -> AlertsService:
    """The alerts of `chatops run`, from the app's config: `leader` None means the database's lock;
    cards go to the surfaces the adapters register (`app.surfaces`) unless `surfaces` is given."""
    settings = app.config.settings.alerts
    if settings.watch.clusters:
        clusters = [app.clusters.get(name) for name in settings.watch.clusters]
    else:
        clusters = [app.clusters.default] if app.clusters.default is not None else []
    # Alert facts go through the app's audit writer (its listeners send alert.triggered/resolved);
    # an app built without one (tools, tests) gets an auditor of its own on the same chain.
    audit = app.audit if app.audit is not None else RequestAudit(Auditor(app.store))
    actions = AlertActions(
        gateway=app.executor,
        alerts=app.store.alerts,
        audit=audit,
        handle=app.router.handle,
        cluster_names=app.clusters.names(),
    )

    async def record(event: AuditEvent, **fields: Any) -> None:
        await audit.record_fact(event, **fields)

    chart = app.registry.get("prom_query")  # offered to the model only with a Prometheus configured
    findings = AlertFindings(
        gateway=app.executor,
        alerts=app.store.alerts,
        timeout_s=settings.findings_timeout_s,
        clusters=app.clusters.names(),
        charts=chart is not None and chart.for_agent,
    )
    service = build_alerts_service(
        settings=settings,
        store=app.store,
        metrics=app.metrics,
        surfaces=surfaces if surfaces is not None else app.surfaces,
        leader=leader if leader is not None else app.store.leadership,
        owner=app.instance_id,
        named=app.config.secrets.named,
        actions=actions,
        silences=AlertSilenceKeeper(
            store=app.store,
            expire=app.registry.get(EXPIRE_OPERATION),
            metrics=app.metrics,
            record=record,
            budget_tokens=app.config.settings.tools.output_budget_tokens,
        ),
        clusters=clusters,
        known_clusters=[app.clusters.get(name) for name in app.clusters.names()],
        record=record,
        clicks=app.alert_clicks,
        findings=findings,
    )
    service.watching = watching
    return service
