"""Two replicas on one PostgreSQL: only the leader (advisory lock) sweeps, so each expired card is
redrawn once; when the leader stops, the other replica takes over; old event ids are pruned."""

from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.gate.metrics import Metrics
from bot.runtime.service import Service
from bot.runtime.webhooks import WebhookSender
from storage.database import normalise_url
from tests.core.conftest import open_app
from tests.core.demo_ops import Backend
from tests.core.helpers import msg
from tests.fake_k8s.server import FakeKubernetes
from tests.fakes.surface import RecordingSurface
from tests.service.test_service_endpoints_and_shutdown import StaticAdapter
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.lease import LeaseElection


async def _replica(url: str, backend: Backend, name: str) -> tuple[Service, RecordingSurface]:
    """A replica whose chat surface (the requester's platform of `msg`) records what it is told."""
    app = await open_app(url, backend, server={"instance_id": name})
    surface = RecordingSurface("console")
    app.surfaces.register(surface)
    service = Service(
        app,
        [StaticAdapter(name="slack")],
        WebhookSender((), secret=None, metrics=Metrics()),
        "127.0.0.1",
        0,
        sweep_interval_s=3600,  # rounds are driven by the test
        event_retention=dt.timedelta(0),
    )
    await service.start()
    return service, surface


def _cards(*surfaces: RecordingSurface) -> list[str | None]:
    return [s.reply.approval_id for surface in surfaces for s in surface.sent if s.reply.approval_id]


async def _expire_everything(url: str) -> None:
    engine = create_async_engine(normalise_url(url))
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE approvals SET expires_at = :t"), {"t": dt.datetime(2000, 1, 1)})
    await engine.dispose()


async def test_each_expiry_is_posted_once_by_the_leader_and_leadership_moves_on(
    postgres_url: str, backend: Backend
) -> None:
    (first, first_cards), (second, second_cards) = [
        await _replica(postgres_url, backend, name) for name in ("replica-a", "replica-b")
    ]
    stopped: list[Service] = []
    try:
        card = (await first.app.router.handle(msg("!demo scale web --replicas 3")))[0]
        await _expire_everything(postgres_url)
        reports = await asyncio.gather(first.sweeper.sweep_once(), second.sweeper.sweep_once())
        assert sorted(r.leader for r in reports) == [False, True]
        assert sum(r.expired for r in reports) == 1
        assert _cards(first_cards, second_cards) == [card.approval_id]
        for _ in range(3):  # later rounds: nothing more to post, and the same leader
            again = await asyncio.gather(first.sweeper.sweep_once(), second.sweeper.sweep_once())
            assert [r.leader for r in again] == [r.leader for r in reports]
            assert sum(r.expired for r in again) == 0
        assert len(_cards(first_cards, second_cards)) == 1

        leader, follower = (first, second) if reports[0].leader else (second, first)
        follower_cards = second_cards if follower is second else first_cards
        await leader.shutdown()
        stopped.append(leader)
        late = (await follower.app.router.handle(msg("!demo scale web --replicas 4")))[0]
        claimed = await follower.app.store.claim_event(platform="slack", event_id="Ev-old")
        assert claimed
        await _expire_everything(postgres_url)
        report = await follower.sweeper.sweep_once()
        assert report.leader and report.expired == 1 and report.events_pruned >= 1
        assert _cards(follower_cards) == [late.approval_id]
    finally:
        for service in (first, second):
            if service not in stopped:
                await service.shutdown()


async def test_sqlite_s_single_process_always_leads(sqlite_url: str, backend: Backend) -> None:
    service, _ = await _replica(sqlite_url, backend, "only")
    try:
        assert (await service.sweeper.sweep_once()).leader
    finally:
        await service.shutdown()


async def test_with_a_kubernetes_lease_the_lease_holder_sweeps(
    postgres_url: str, backend: Backend, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    replicas = [await _replica(postgres_url, backend, name) for name in ("pod-a", "pod-b")]
    cluster = fake_cluster_set.default
    assert cluster is not None
    for (service, _), name in zip(replicas, ("pod-a", "pod-b"), strict=True):
        service.leader = await LeaseElection.for_cluster(
            cluster, namespace="prod", name="sweeper", identity=name
        )
    try:
        first = replicas[0][0]
        card = (await first.app.router.handle(msg("!demo scale web --replicas 3")))[0]
        await _expire_everything(postgres_url)
        reports = await asyncio.gather(*(service.sweeper.sweep_once() for service, _ in replicas))
        assert sorted(r.leader for r in reports) == [False, True]
        assert _cards(*(cards for _, cards in replicas)) == [card.approval_id]
        lease = fake_k8s.get("Lease", "prod", "sweeper")
        assert lease is not None
        holder = lease["spec"]["holderIdentity"]
        assert holder == ("pod-a" if reports[0].leader else "pod-b")
    finally:
        for service, _ in replicas:
            await service.shutdown()
    lease = fake_k8s.get("Lease", "prod", "sweeper")
    assert lease is not None and lease["spec"]["holderIdentity"] is None  # handed back
