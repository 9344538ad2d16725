"""The alert card's buttons: Silence files an ordinary approval for `am_silence` (nothing reaches
Alertmanager until it is approved, then exactly once); Acknowledge records who took it and the card
says so; Investigate runs the diagnosis as the clicker, so a viewer runs reads only."""

from __future__ import annotations

from typing import Any

from bot.domain.models import ButtonAction, Principal, Reply, ReplyKind
from storage.records import AuditFilter
from tests.alerts.conftest import PROD, TOKEN, World
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_alertmanager.webhook import firing, notification, resolved, send
from tests.fake_k8s.server import FakeKubernetes

ALERT = firing(
    "KubePodCrashLooping",
    namespace="prod",
    pod="batch-oom",
    severity="critical",
    container="batch",
    job="kube-state",
)
FP = str(ALERT["fingerprint"])


def person(user: str) -> Principal:
    return Principal("slack", user, user.title())


async def fired(world: World, alert: dict[str, Any] = ALERT) -> None:
    status, _ = await send(world.url, notification(alert), bearer=TOKEN)
    assert status == 200
    await world.service.round()


async def click(world: World, action: ButtonAction, user: str = "UOPS", fingerprint: str = FP) -> list[Reply]:
    return await world.service.actions.click(
        principal=person(user), action=action, fingerprint=fingerprint, channel=PROD, thread="1.000"
    )


async def test_silence_is_an_approval_card_and_reaches_alertmanager_once(
    world: World, fake_alertmanager: FakeAlertmanager
) -> None:
    await fired(world)
    (card,) = await click(world, ButtonAction.SILENCE_4H)
    assert card.kind is ReplyKind.APPROVAL and card.approval_id is not None
    preview = card.code or ""
    assert "add a silence for 4h" in preview
    assert 'alertname="KubePodCrashLooping", namespace="prod", pod="batch-oom", job="kube-state"' in preview
    assert 'container="batch"' in preview and "severity" not in preview.split("matchers:")[1].split("\n")[0]
    assert fake_alertmanager.mutations == []

    decided = await world.app.router.handle_button(
        principal=person("UADMIN"),
        action=ButtonAction.APPROVE,
        approval_id=card.approval_id,
        channel=PROD,
        thread=None,
    )
    assert "added until" in decided[0].text
    again = await world.app.router.handle_button(
        principal=person("UADMIN"),
        action=ButtonAction.APPROVE,
        approval_id=card.approval_id,
        channel=PROD,
        thread=None,
    )
    assert again[0].status.value != "ok" or "already" in again[0].text
    (post,) = fake_alertmanager.mutations
    assert {m["name"]: m["value"] for m in post.body["matchers"]}["pod"] == "batch-oom"
    assert "silenced for 4h from its alert card" in post.body["comment"]


async def test_until_resolved_is_the_longest_silence_and_a_viewer_cannot_ask(
    world: World, fake_alertmanager: FakeAlertmanager
) -> None:
    await fired(world)
    (refused,) = await click(world, ButtonAction.SILENCE_RESOLVED, user="UVIEW")
    assert refused.approval_id is None and "needs the operator role" in refused.text
    (card,) = await click(world, ButtonAction.SILENCE_RESOLVED)
    assert "add a silence for 7d" in (card.code or "") and "until resolved" in (card.code or "")
    assert fake_alertmanager.mutations == []


async def test_acknowledge_records_who_and_the_card_says_so(world: World) -> None:
    await fired(world)
    (done,) = await click(world, ButtonAction.ACKNOWLEDGE, user="UVIEW")
    assert done.text == "Uview acknowledged KubePodCrashLooping."
    (second,) = await click(world, ButtonAction.ACKNOWLEDGE, user="UOPS")
    assert "already acknowledged by Uview (slack:UVIEW)" in second.text and second.ephemeral
    await world.service.round()
    (now,) = world.surface.messages()
    assert (world.surface.field(now, "Acknowledged") or "").startswith("by Uview (slack:UVIEW) at ")
    assert ButtonAction.ACKNOWLEDGE not in [b.action for b in now.buttons]
    facts = await world.app.store.list_audit(AuditFilter(event="alert.acknowledged"))
    assert [f.user_id for f in facts] == ["UVIEW"]


async def test_investigate_by_a_viewer_runs_the_diagnosis_and_nothing_else(
    world: World, fake_k8s: FakeKubernetes
) -> None:
    await fired(world)
    fake_k8s.reset_requests()
    replies = await click(world, ButtonAction.INVESTIGATE, user="UVIEW")
    text = "\n".join(r.text + (r.code or "") for r in replies)
    assert "batch-oom" in text and "OOMKilled" in text
    assert fake_k8s.requests and fake_k8s.mutations() == []
    proposed = await world.app.store.list_audit(AuditFilter(event="operation.proposed"))
    assert {f.operation for f in proposed} == {"k8s_diagnose"}


async def test_buttons_of_a_resolved_or_unknown_alert_say_so(world: World) -> None:
    await fired(world)
    await fired(world, resolved(ALERT))
    (late,) = await click(world, ButtonAction.SILENCE_1H)
    assert "has resolved; there is nothing to silence" in late.text
    (unknown,) = await click(world, ButtonAction.ACKNOWLEDGE, fingerprint="0123456789abcdef")
    assert "no longer known" in unknown.text and unknown.ephemeral


async def test_investigate_of_an_alert_naming_no_object_says_so(world: World) -> None:
    bare = firing("TargetDown", job="api")
    await fired(world, bare)
    (reply,) = await click(world, ButtonAction.INVESTIGATE, fingerprint=str(bare["fingerprint"]))
    assert "names no pod, deployment, statefulset, node or namespace" in reply.text
