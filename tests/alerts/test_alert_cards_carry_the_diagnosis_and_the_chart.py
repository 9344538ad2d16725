"""Before a firing alert's card is first posted, the leader diagnoses the object its labels name (as
the bot's own viewer, through the gate, audited) and charts its expression when a Prometheus is
configured; the findings are stored once, so the resolved card shows the same without looking again.
Labels naming nothing give no findings section; a slow cluster or a failing Prometheus give one line
and the card still goes out."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image

from bot.alerts.findings import AT_ONCE
from bot.domain.models import Reply
from storage.records import AuditFilter
from tests.alerts.conftest import PROD, TOKEN, World, open_world
from tests.fake_alertmanager.server import FakeAlertmanager
from tests.fake_alertmanager.webhook import firing, notification, resolved, send
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_prometheus.server import FakePrometheus, FakeSeries
from tools.kubernetes.clusters import ClusterSet


def crashing_pod(fake_k8s: FakeKubernetes) -> str:
    return next(
        str(p["metadata"]["name"])
        for p in fake_k8s.objects("Pod", "prod")
        if str(p["metadata"]["name"]).startswith("api-")
    )


def crash_alert(pod: str) -> dict[str, Any]:
    return firing("KubePodCrashLooping", namespace="prod", pod=pod, cluster="fake", severity="critical")


async def deliver(world: World, *alerts: dict[str, Any]) -> None:
    status, text = await send(world.url, notification(*alerts), bearer=TOKEN)
    assert status == 200, text
    async with asyncio.timeout(60):  # generous: only a hung round would reach it
        await world.service.round()


def field(reply: Reply, name: str) -> str | None:
    return next((f.value for f in reply.fields if f.name == name), None)


async def system_reads(world: World, operation: str) -> list[str]:
    """The statuses of the reads the bot made on its own for alerts (execution.finished)."""
    finished = await world.app.store.list_audit(AuditFilter(event="execution.finished"))
    return [
        str(f.status)
        for f in finished
        if (f.platform, f.user_id, f.operation) == ("system", "alerts", operation)
    ]


class Takeover:
    async def is_leader(self) -> bool:
        return True


@pytest.fixture
async def charted(
    database_url: str,
    fake_cluster_set: ClusterSet,
    fake_alertmanager: FakeAlertmanager,
    fake_prometheus: FakePrometheus,
) -> AsyncIterator[World]:
    opened, runner = await open_world(
        database_url, fake_cluster_set, fake_alertmanager, prometheus_url=fake_prometheus.url
    )
    try:
        yield opened
    finally:
        await runner.cleanup()
        await opened.app.close()


async def test_a_crash_looping_pod_s_card_carries_its_diagnosis_once(
    world: World, fake_k8s: FakeKubernetes
) -> None:
    pod = crashing_pod(fake_k8s)
    alert = crash_alert(pod)
    await deliver(world, alert)
    (posted,) = world.surface.posts
    card = posted.reply
    assert posted.place.channel == PROD
    assert field(card, "Diagnosis") == f"pod {pod} in prod (cluster fake), read when it fired"
    assert card.code is not None and "container api is in CrashLoopBackOff" in card.code
    assert "AKIA" not in card.code  # the gate redacted what the cluster said
    assert await system_reads(world, "k8s_diagnose") == ["ok"]
    proposed = await world.app.store.list_audit(AuditFilter(event="operation.proposed"))
    (read,) = [p for p in proposed if p.platform == "system"]
    assert read.detail["origin"] == "system" and read.detail["safety"] == "read"
    assert fake_k8s.mutations() == []

    fake_k8s.reset_requests()
    await deliver(world, resolved(alert))
    assert len(world.surface.posts) == 1 and len(world.surface.updates) == 1
    (now,) = world.surface.messages()
    assert now.text.startswith("RESOLVED") and now.code == card.code
    assert field(now, "Diagnosis") == field(card, "Diagnosis")
    assert fake_k8s.requests == []  # not looked at again
    assert await system_reads(world, "k8s_diagnose") == ["ok"]


async def test_another_replica_leading_later_does_not_look_again(
    world: World,
    fake_k8s: FakeKubernetes,
    database_url: str,
    fake_cluster_set: ClusterSet,
    fake_alertmanager: FakeAlertmanager,
) -> None:
    alert = crash_alert(crashing_pod(fake_k8s))
    await deliver(world, alert)
    first = world.surface.posts[0].reply
    other, runner = await open_world(database_url, fake_cluster_set, fake_alertmanager, surface=world.surface)
    other.service.leader = Takeover()  # the first replica's lock (PostgreSQL) is not released here
    try:
        fake_k8s.reset_requests()
        status, _ = await send(other.url, notification(resolved(alert)), bearer=TOKEN)
        assert status == 200
        await other.service.round()  # the new leader redraws the card from the stored findings
        assert len(world.surface.posts) == 1
        (now,) = world.surface.messages()
        assert now.text.startswith("RESOLVED") and now.code == first.code
        assert fake_k8s.requests == []
    finally:
        await runner.cleanup()
        await other.app.close()


async def test_labels_naming_no_object_give_no_findings_section(
    world: World, fake_k8s: FakeKubernetes
) -> None:
    fake_k8s.reset_requests()
    await deliver(world, firing("TargetDown", job="api", severity="warning"))
    (card,) = world.surface.messages()
    assert field(card, "Diagnosis") is None and field(card, "Chart") is None and card.code is None
    assert fake_k8s.requests == []
    stored = await world.app.store.alerts.firing()
    assert [a.findings for a in stored] == [None]


async def test_a_node_alert_names_the_node_s_conditions(world: World) -> None:
    await deliver(world, firing("KubeNodeNotReady", node="node-2", cluster="fake", severity="warning"))
    (card,) = world.surface.messages()
    assert field(card, "Diagnosis") == "node node-2 (cluster fake), read when it fired"
    assert card.code is not None and "node is not ready (KubeletNotReady" in card.code
    assert "MemoryPressure" in card.code


async def test_a_cluster_the_bot_does_not_know_is_said_in_one_line(
    world: World, fake_k8s: FakeKubernetes
) -> None:
    fake_k8s.reset_requests()
    await deliver(world, firing("KubePodCrashLooping", namespace="prod", pod="x-1", cluster="elsewhere"))
    (card,) = world.surface.messages()
    assert field(card, "Diagnosis") == "Not diagnosed: the bot knows no cluster called elsewhere."
    assert card.code is None and fake_k8s.requests == []


async def test_a_slow_cluster_gets_the_card_out_with_one_line(
    database_url: str,
    fake_cluster_set: ClusterSet,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
) -> None:
    slow, runner = await open_world(database_url, fake_cluster_set, fake_alertmanager, findings_timeout_s=1)
    try:
        fake_k8s.delay_seconds = 60  # far past the limit, and past the client's own 5 s timeout
        await deliver(slow, crash_alert("web-1"))
        (card,) = slow.surface.messages()
        assert card.text.startswith("FIRING: KubePodCrashLooping")
        note = field(card, "Diagnosis") or ""
        assert note.startswith("No diagnosis of pod web-1 in prod (cluster fake): ")
        assert "within 1 s" in note and "\n" not in note
        assert card.code is None
        assert await system_reads(slow, "k8s_diagnose") == ["error"]  # the timeout is in the audit trail
    finally:
        fake_k8s.delay_seconds = 0
        await runner.cleanup()
        await slow.app.close()


async def test_a_burst_on_a_slow_cluster_shares_one_limit(
    database_url: str,
    fake_cluster_set: ClusterSet,
    fake_alertmanager: FakeAlertmanager,
    fake_k8s: FakeKubernetes,
) -> None:
    slow, runner = await open_world(
        database_url,
        fake_cluster_set,
        fake_alertmanager,
        findings_timeout_s=1,
        flood={"new_cards_per_minute": 100},
    )
    burst = [crash_alert(f"web-{i}") for i in range(AT_ONCE + 3)]
    try:
        fake_k8s.delay_seconds = 60
        await deliver(slow, *burst)
        cards = slow.surface.messages()
        assert len(cards) == len(burst)
        assert all((field(c, "Diagnosis") or "").startswith("No diagnosis of pod web-") for c in cards)
        # The first AT_ONCE ran into the limit; the rest were not started after it had passed.
        assert await system_reads(slow, "k8s_diagnose") == ["error"] * AT_ONCE
        late = [c for c in cards if (field(c, "Diagnosis") or "").endswith("it did not finish within 1 s")]
        assert len(late) == 3
    finally:
        fake_k8s.delay_seconds = 0
        await runner.cleanup()
        await slow.app.close()


async def test_the_alert_s_expression_is_charted_on_the_first_post(
    charted: World, fake_prometheus: FakePrometheus
) -> None:
    fake_prometheus.answer(
        "up", series=[FakeSeries({"job": "api", "instance": "10.0.0.7:8080"}, lambda t: 0.0)]
    )
    alert = firing("TargetDown", job="api", severity="warning")  # generatorURL: …/graph?g0.expr=up
    await deliver(charted, alert)
    (posted,) = charted.surface.posts
    (png,) = posted.reply.files
    assert png.mime == "image/png" and Image.open(io.BytesIO(png.content)).format == "PNG"
    assert field(posted.reply, "Chart") is None
    ranges = [r for r in fake_prometheus.requests if r.path == "/api/v1/query_range"]
    assert [r.params["query"] for r in ranges] == ["up"]
    assert await system_reads(charted, "prom_query") == ["ok"]

    await deliver(charted, resolved(alert))
    ((_, redrawn),) = charted.surface.updates
    assert redrawn.files == ()  # the image stays with the first post; an edit does not upload it again
    assert len([r for r in fake_prometheus.requests if r.path == "/api/v1/query_range"]) == 1


async def test_a_failing_prometheus_is_one_line_and_the_card_still_goes_out(
    charted: World, fake_prometheus: FakePrometheus, fake_k8s: FakeKubernetes
) -> None:
    fake_prometheus.fail(400, "bad_data", "parse error at char 3")
    await deliver(charted, crash_alert(crashing_pod(fake_k8s)))
    (card,) = charted.surface.messages()
    assert card.files == ()
    chart = field(card, "Chart") or ""
    assert chart.startswith("No chart: ") and "parse error at char 3" in chart and "\n" not in chart
    assert card.code is not None and "CrashLoopBackOff" in card.code  # the diagnosis did not wait on it
