"""A card posted before a restart is updated in place by the new adapter: its location is in the
database, so a click finds it, and so does the service's sweep when the approval expires."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import build_app
from bot.runtime.sweeper import Sweeper
from storage.records import ApprovalState
from tests.core.fixtures import make_config
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_mattermost.plugin import ALICE, OLGA, OPS
from tests.fake_mattermost.server import FakeMattermost
from tests.mattermost.conftest import POLICY, adapter_on
from tests.mattermost.helpers import actions, answers_to, approval_id_of, cards, shown
from tools.kubernetes.clusters import ClusterSet


async def test_a_click_after_a_restart_updates_the_card_it_was_made_on(
    sqlite_url: str, fake_mattermost: FakeMattermost, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    config = make_config(sqlite_url, policy=POLICY)
    app = await build_app(config, clusters=fake_cluster_set)
    try:
        async with adapter_on(app, fake_mattermost) as bot:
            asked = await bot.fake.say(
                ALICE, "@chatops !scale deployment web --replicas 4 -n prod", channel=OPS
            )
            await bot.fake.wait_until(lambda: len(cards(bot.fake)) == 1)
            await bot.settle()
            port = int(bot.public_url.rsplit(":", 1)[1])
    finally:
        await app.close()
    (card,) = cards(fake_mattermost)
    card_id = card["id"]
    approval_id = approval_id_of(card)

    app = await build_app(config, clusters=fake_cluster_set)  # a new process: nothing in memory
    try:
        async with adapter_on(app, fake_mattermost, port=port) as bot:
            seen = len(fake_mattermost.requests)
            status, _ = await fake_mattermost.click(card_id, "approve", OLGA)
            await bot.settle()
            assert status == 200
            # the card's place came from the database: its post was not even read back
            assert fake_mattermost.calls("GET", f"/posts/{card_id}") == []
            (update,) = [u for u in fake_mattermost.requests[seen:] if u.method == "PUT"]
            assert update.path == f"/posts/{card_id}"
            assert "approved by Olga; succeeded" in shown(fake_mattermost.posts[card_id]["message"])
            outcome = [p for p in answers_to(fake_mattermost, asked["id"]) if p["id"] != card_id]
            assert len(outcome) == 1
    finally:
        await app.close()
    web = fake_k8s.get("Deployment", "prod", "web")
    assert web is not None and web["spec"]["replicas"] == 4
    assert len([r for r in fake_k8s.mutations() if "/deployments/web" in r.path]) == 1
    app = await build_app(config, clusters=fake_cluster_set)
    try:
        record = await app.store.get_approval(approval_id)
        assert record is not None and record.state is ApprovalState.SUCCEEDED
    finally:
        await app.close()


async def test_an_approval_that_expired_while_the_bot_was_down_gets_its_card_updated(
    sqlite_url: str, fake_mattermost: FakeMattermost, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    config = make_config(sqlite_url, policy=POLICY)
    app = await build_app(config, clusters=fake_cluster_set)
    try:
        async with adapter_on(app, fake_mattermost) as bot:
            await bot.fake.say(ALICE, "@chatops !scale deployment web --replicas 5 -n prod", channel=OPS)
            await bot.fake.wait_until(lambda: len(cards(bot.fake)) == 1)
            await bot.settle()
    finally:
        await app.close()
    (card,) = cards(fake_mattermost)

    app = await build_app(config, clusters=fake_cluster_set)
    try:
        async with adapter_on(app, fake_mattermost) as bot:
            engine = create_async_engine(sqlite_url)  # the clock moves past the expiry
            async with engine.begin() as conn:
                await conn.execute(
                    sa.text("UPDATE approvals SET expires_at = :t"), {"t": "2000-01-01 00:00:00"}
                )
            await engine.dispose()
            sweeper = Sweeper(app, dt.timedelta(hours=24))  # the service's one sweep
            assert (await sweeper.sweep_once()).expired == 1
            assert [u.path for u in fake_mattermost.updates] == [f"/posts/{card['id']}"]
            now = fake_mattermost.posts[card["id"]]
            assert "expired" in shown(now["message"]).lower() and actions(now) == []
    finally:
        await app.close()
