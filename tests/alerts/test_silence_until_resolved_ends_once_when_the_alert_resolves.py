"""A silence from an alert card is kept once its approval has run and the card says "silenced by X
until …"; "until resolved" is expired by the leader when the alert resolves — once, however many
replicas look, audited with the approval it completes, and the card says so; a failed expiry is
audited and tried again; 1h / 4h silences end on their own."""

from __future__ import annotations

import asyncio
import datetime as dt

from bot.alerts.service import alerts_service
from bot.domain.models import ButtonAction, Principal
from storage.records import AuditFilter
from tests.alerts.conftest import PROD, TOKEN, World, open_world
from tests.alerts.test_alert_buttons_go_through_the_gate import ALERT, FP, click, fired
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_alertmanager.webhook import notification, resolved, send
from tools.kubernetes.clusters import ClusterSet


async def silenced(world: World, action: ButtonAction) -> str:
    """Click Silence as an operator, approve as an admin; the approval's id."""
    (card,) = await click(world, action)
    assert card.approval_id is not None
    done = await world.app.router.handle_button(
        principal=Principal("slack", "UADMIN", "Ada"),
        action=ButtonAction.APPROVE,
        approval_id=card.approval_id,
        channel=PROD,
        thread=None,
    )
    assert "added until" in done[0].text
    await world.service.round()
    return card.approval_id


async def resolve(world: World) -> None:
    status, _ = await send(world.url, notification(resolved(ALERT)), bearer=TOKEN)
    assert status == 200
    await world.service.round()


def expiries(fake: FakeAlertmanager) -> list[str]:
    return [r.path.rsplit("/", 1)[1] for r in fake.mutations if r.method == "DELETE"]


async def test_until_resolved_is_expired_once_on_resolve_and_the_card_says_so(
    world: World, fake_alertmanager: FakeAlertmanager
) -> None:
    await fired(world)
    approval_id = await silenced(world, ButtonAction.SILENCE_RESOLVED)
    (silence_id,) = fake_alertmanager.silences
    (card,) = world.surface.messages(PROD)
    shown = world.surface.field(card, "Silenced") or ""
    assert shown.startswith("by Uops (slack:UOPS) until resolved (at most ")
    assert expiries(fake_alertmanager) == []

    await resolve(world)
    assert expiries(fake_alertmanager) == [silence_id]
    assert fake_alertmanager.silences[silence_id]["status"]["state"] == "expired"
    (card,) = world.surface.messages(PROD)
    assert card.text.startswith("RESOLVED")
    assert (
        world.surface.field(card, "Silence") == "silence expired: alert resolved (set by Uops (slack:UOPS))"
    )
    assert world.surface.field(card, "Silenced") is None

    await world.service.round()
    assert expiries(fake_alertmanager) == [silence_id]
    (fact,) = await world.app.store.list_audit(AuditFilter(event="alert.silence_expired"))
    assert (fact.approval_id, fact.status, fact.operation, fact.user_id) == (
        approval_id,
        "ok",
        "am_expire_silence",
        "UOPS",
    )
    assert fact.detail["silence_id"] == silence_id and fact.detail["reason"] == "alert resolved"
    kept = await world.app.store.silences.get(silence_id)
    assert kept is not None and kept.until_resolved and kept.expired_at is not None


async def test_an_hour_long_silence_is_kept_and_shown_but_not_expired_on_resolve(
    world: World, fake_alertmanager: FakeAlertmanager
) -> None:
    await fired(world)
    await silenced(world, ButtonAction.SILENCE_1H)
    (silence_id,) = fake_alertmanager.silences
    kept = await world.app.store.silences.get(silence_id)
    assert kept is not None and not kept.until_resolved and kept.fingerprint == FP
    assert dt.timedelta(minutes=59) < kept.ends_at - dt.datetime.now(dt.UTC) <= dt.timedelta(hours=1)
    (card,) = world.surface.messages(PROD)
    assert (world.surface.field(card, "Silenced") or "").startswith("by Uops (slack:UOPS) until 20")
    await resolve(world)
    await world.service.round()
    assert expiries(fake_alertmanager) == []
    assert await world.app.store.list_audit(AuditFilter(event="alert.silence_expired")) == []


async def test_a_failed_expiry_is_audited_and_tried_again(
    world: World, fake_alertmanager: FakeAlertmanager
) -> None:
    await fired(world)
    await silenced(world, ButtonAction.SILENCE_RESOLVED)
    (silence_id,) = fake_alertmanager.silences
    world.service.silences.retry_first_s = 0.0
    fake_alertmanager.failing_expiries = 2
    await resolve(world)
    kept = await world.app.store.silences.get(silence_id)
    assert kept is not None and kept.expired_at is None
    (card,) = world.surface.messages(PROD)
    assert world.surface.field(card, "Silence") is None
    await world.service.round()
    await world.service.round()
    assert fake_alertmanager.silences[silence_id]["status"]["state"] == "expired"
    await world.service.round()
    assert expiries(fake_alertmanager) == [silence_id] * 3
    facts = await world.app.store.list_audit(AuditFilter(event="alert.silence_expired"))
    assert sorted(f.status or "" for f in facts) == ["error", "error", "ok"]
    assert "HTTP 503" in str(next(f for f in facts if f.status == "error").detail["error"])
    (card,) = world.surface.messages(PROD)
    assert (world.surface.field(card, "Silence") or "").startswith("silence expired: alert resolved")


async def test_two_replicas_expire_a_silence_once(
    world: World, database_url: str, fake_cluster_set: ClusterSet, fake_alertmanager: FakeAlertmanager
) -> None:
    await fired(world)
    await silenced(world, ButtonAction.SILENCE_RESOLVED)
    other, runner = await open_world(database_url, fake_cluster_set, fake_alertmanager, surface=world.surface)
    try:
        assert await other.service.silences.collect() == 0  # the same silence, already kept
        status, _ = await send(world.url, notification(resolved(ALERT)), bearer=TOKEN)
        assert status == 200
        done = await asyncio.gather(world.service.silences.expire_due(), other.service.silences.expire_due())
        assert sorted(done) == [0, 1]
        assert len(expiries(fake_alertmanager)) == 1
        assert len(await world.app.store.list_audit(AuditFilter(event="alert.silence_expired"))) == 1
    finally:
        await other.service.stop()
        await runner.cleanup()
        await other.app.close()


async def test_a_new_leader_keeps_a_silence_approved_before_it_led(
    world: World, fake_alertmanager: FakeAlertmanager
) -> None:
    await fired(world)
    (card,) = await click(world, ButtonAction.SILENCE_RESOLVED)
    assert card.approval_id is not None
    await world.app.router.handle_button(
        principal=Principal("slack", "UADMIN", "Ada"),
        action=ButtonAction.APPROVE,
        approval_id=card.approval_id,
        channel=PROD,
        thread=None,
    )  # the leader died before its next round: nothing was kept yet
    successor = alerts_service(world.app, surfaces={"slack": world.surface}, leader=None)
    await successor.round()
    (silence_id,) = fake_alertmanager.silences
    kept = await world.app.store.silences.get(silence_id)
    assert kept is not None and kept.approval_id == card.approval_id


async def test_a_claim_left_by_a_leader_killed_before_the_call_is_taken_over(
    world: World, fake_alertmanager: FakeAlertmanager
) -> None:
    """A leader claimed the expiry (the compare-and-set) and died before calling Alertmanager: the
    silence would run on for days. The claim, never confirmed, goes stale and the next round takes
    it over; a fresh claim (a leader still at it) is left alone."""
    await fired(world)
    await silenced(world, ButtonAction.SILENCE_RESOLVED)
    (silence_id,) = fake_alertmanager.silences
    now = dt.datetime.now(dt.UTC)
    # The dead leader's claim, as its compare-and-set left it, an hour ago.
    gone = now - dt.timedelta(hours=1)
    assert await world.app.store.silences.claim_expiry(silence_id, at=gone, stale_before=gone)
    status, _ = await send(world.url, notification(resolved(ALERT)), bearer=TOKEN)
    assert status == 200

    await world.service.round()
    assert expiries(fake_alertmanager) == [silence_id]
    assert fake_alertmanager.silences[silence_id]["status"]["state"] == "expired"
    (fact,) = await world.app.store.list_audit(AuditFilter(event="alert.silence_expired"))
    assert fact.status == "ok"
    await world.service.round()
    assert expiries(fake_alertmanager) == [silence_id]  # confirmed: never again


async def test_a_silence_already_expired_when_the_claim_is_taken_over_counts_as_done(
    world: World, fake_alertmanager: FakeAlertmanager
) -> None:
    """The dead leader's call did reach Alertmanager, but it died before recording so: the next
    leader finds the silence expired, sends nothing, and records it as done."""
    await fired(world)
    await silenced(world, ButtonAction.SILENCE_RESOLVED)
    (silence_id,) = fake_alertmanager.silences
    gone = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    assert await world.app.store.silences.claim_expiry(silence_id, at=gone, stale_before=gone)
    fake_alertmanager.silences[silence_id]["status"] = {"state": "expired"}
    status, _ = await send(world.url, notification(resolved(ALERT)), bearer=TOKEN)
    assert status == 200

    await world.service.round()
    assert expiries(fake_alertmanager) == []
    (fact,) = await world.app.store.list_audit(AuditFilter(event="alert.silence_expired"))
    assert fact.status == "ok"
    (card,) = world.surface.messages(PROD)
    assert (world.surface.field(card, "Silence") or "").startswith("silence expired: alert resolved")


async def test_a_fresh_claim_of_a_leader_still_at_it_is_left_alone(
    world: World, fake_alertmanager: FakeAlertmanager
) -> None:
    await fired(world)
    await silenced(world, ButtonAction.SILENCE_RESOLVED)
    (silence_id,) = fake_alertmanager.silences
    now = dt.datetime.now(dt.UTC)
    assert await world.app.store.silences.claim_expiry(
        silence_id, at=now, stale_before=now - dt.timedelta(minutes=2)
    )
    status, _ = await send(world.url, notification(resolved(ALERT)), bearer=TOKEN)
    assert status == 200
    await world.service.round()
    assert expiries(fake_alertmanager) == []
    assert await world.app.store.list_audit(AuditFilter(event="alert.silence_expired")) == []
