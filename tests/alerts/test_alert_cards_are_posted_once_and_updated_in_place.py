"""A firing alert becomes one card in the channel its labels route to; repeats change nothing; the
resolved notification updates the same card; a re-fire reuses it; replicas that received the same
notification post nothing twice, and only the leader posts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.domain.models import ButtonAction, ReplyKind
from storage.records import AuditFilter
from tests.alerts.conftest import ALL, PROD, TOKEN, World, open_world
from tests.alerts.fake_surface import FakeSurface
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_alertmanager.webhook import firing, notification, resolved, send
from tools.kubernetes.clusters import ClusterSet

CRASHING = firing(
    "KubePodCrashLooping",
    namespace="prod",
    pod="web-1",
    severity="critical",
    cluster="fake",
    summary="Pod prod/web-1 is crash looping",
    annotations={
        "description": "web-1 restarted 12 times",
        "runbook_url": "https://runbooks.example/crashloop",
    },
)


async def deliver(world: World, *alerts: dict[str, Any]) -> None:
    status, text = await send(world.url, notification(*alerts), bearer=TOKEN)
    assert status == 200, text
    await world.service.round()


async def test_a_firing_alert_is_one_card_with_what_matters(world: World) -> None:
    await deliver(world, CRASHING)
    (posted,) = world.surface.posts
    card = posted.reply
    assert posted.place.channel == PROD
    assert card.text == "FIRING: KubePodCrashLooping (critical) — Pod prod/web-1 is crash looping"
    assert world.surface.field(card, "Pod") == "web-1" and world.surface.field(card, "Namespace") == "prod"
    assert world.surface.field(card, "Description") == "web-1 restarted 12 times"
    assert world.surface.field(card, "Runbook") == "https://runbooks.example/crashloop"
    assert "since 2026-12-02 10:00 UTC" in (world.surface.field(card, "Firing for") or "")
    assert [b.action for b in card.buttons] == [
        ButtonAction.INVESTIGATE,
        ButtonAction.SILENCE_1H,
        ButtonAction.SILENCE_4H,
        ButtonAction.SILENCE_RESOLVED,
        ButtonAction.ACKNOWLEDGE,
    ]
    assert {b.approval_id for b in card.buttons} == {CRASHING["fingerprint"]}
    (fact,) = await world.app.store.list_audit(AuditFilter(event="alert.card_posted"))
    assert (fact.platform, fact.channel, fact.status) == ("slack", PROD, "firing")
    assert fact.detail["subject"] == f"alert:{CRASHING['fingerprint']}"


async def test_repeats_change_nothing_and_resolved_updates_the_same_card(world: World) -> None:
    await deliver(world, CRASHING)
    await deliver(world, CRASHING)  # Alertmanager's repeat_interval
    assert len(world.surface.posts) == 1 and world.surface.updates == []

    await deliver(world, resolved(CRASHING))
    assert len(world.surface.posts) == 1
    (now,) = world.surface.messages()
    assert now.text.startswith("RESOLVED: KubePodCrashLooping") and now.kind is ReplyKind.RESULT
    assert world.surface.field(now, "Resolved") == "2026-12-02 10:30 UTC after 30m"
    assert [b.action for b in now.buttons] == [ButtonAction.INVESTIGATE]

    await deliver(world, CRASHING)  # a stale "firing" after the resolve: nothing
    assert len(world.surface.updates) == 1
    await deliver(world, {**CRASHING, "startsAt": "2026-12-02T11:00:00Z"})  # fires again
    assert len(world.surface.posts) == 1
    (again,) = world.surface.messages()
    assert again.text.startswith("FIRING") and "since 2026-12-02 11:00 UTC" in str(
        world.surface.field(again, "Firing for")
    )


async def test_an_alert_that_fired_and_resolved_between_two_looks_still_gets_its_card(world: World) -> None:
    for alert in (CRASHING, resolved(CRASHING)):  # the leader was busy (or changing hands) meanwhile
        status, _ = await send(world.url, notification(alert), bearer=TOKEN)
        assert status == 200
    await world.service.round()
    (now,) = world.surface.messages()
    assert now.text.startswith("RESOLVED: KubePodCrashLooping")


async def test_an_alert_only_ever_seen_resolved_gets_no_card(world: World) -> None:
    await deliver(world, resolved(firing("DiskFull", namespace="prod", node="n1")))
    assert world.surface.posts == []


async def test_grouped_alerts_are_routed_by_their_labels(world: World) -> None:
    await deliver(
        world,
        CRASHING,
        firing("TargetDown", job="api", namespace="staging", severity="warning"),
        firing("Watchdog", severity="info"),  # routed nowhere
    )
    assert sorted((p.place.channel, p.reply.text.split(":")[1].split()[0]) for p in world.surface.posts) == [
        (ALL, "TargetDown"),
        (PROD, "KubePodCrashLooping"),
    ]


async def test_two_replicas_receiving_one_notification_post_one_card(
    world: World, database_url: str, fake_cluster_set: ClusterSet, fake_alertmanager: FakeAlertmanager
) -> None:
    other, runner = await open_world(database_url, fake_cluster_set, fake_alertmanager)
    try:
        for url in (world.url, other.url):
            status, _ = await send(url, notification(CRASHING), bearer=TOKEN)
            assert status == 200
        await world.service.round()
        await other.service.round()
        assert len(world.surface.posts) + len(other.surface.posts) == 1
    finally:
        await runner.cleanup()
        await other.app.close()


async def test_only_the_leader_posts_and_it_sees_what_any_replica_received(world: World) -> None:
    class Follower:
        async def is_leader(self) -> bool:
            return False

    leader, world.service.leader = world.service.leader, Follower()
    status, _ = await send(world.url, notification(CRASHING), bearer=TOKEN)
    assert status == 200
    assert await world.service.round() is False
    assert world.surface.posts == []
    world.service.leader = leader
    assert await world.service.round() is True
    assert len(world.surface.posts) == 1
    gained = world.app.metrics.leader_changes.labels("gained")._value.get()
    assert gained == 1


async def test_the_running_service_posts_when_a_notification_arrives(world: World) -> None:
    await world.service.start()
    await world.service.round()  # leads from the first round
    status, _ = await send(world.url, notification(CRASHING), bearer=TOKEN)
    assert status == 200
    await world.surface.wait_for(lambda s: len(s.posts) == 1)
    status, _ = await send(world.url, notification(resolved(CRASHING)), bearer=TOKEN)
    await world.surface.wait_for(lambda s: len(s.updates) == 1)
    assert len(world.surface.posts) == 1


async def test_a_failed_post_is_tried_again_and_lands_once(world: World) -> None:
    world.surface.failing = True
    await deliver(world, CRASHING)
    assert world.surface.posts == []
    await deliver(world, firing("Later", namespace="prod"))  # the cursor moves past both
    world.surface.failing = False
    world.service._cursor = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)  # nothing "recent" to reread
    await world.service.round()
    assert sorted(p.reply.text.split()[1] for p in world.surface.posts) == ["KubePodCrashLooping", "Later"]
    await world.service.round()
    assert len(world.surface.posts) == 2


def test_the_fake_surface_is_a_chat_surface() -> None:
    from bot.domain.ports import ChatSurface

    assert isinstance(FakeSurface(), ChatSurface)
