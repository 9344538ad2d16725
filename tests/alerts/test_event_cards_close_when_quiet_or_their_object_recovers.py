"""Cards of Warning Events close: after `alerts.watch.event_quiet_s` with no new occurrence (checked
on the leader's rounds) the card is updated in place to say it recovered; the same occurrence seen
again by a relist leaves it closed, a new one opens it again. An Event's card also closes when the
pod it is about is deleted, or when that pod's own crash loop recovers."""

from __future__ import annotations

from tests.alerts.watching import NS, OpenReplica, again, crashing_pod, healed, open_replica, warning
from tests.core.helpers import until
from tests.fake_k8s.resources import resource_for_kind
from tests.fake_k8s.server import FakeKubernetes

__all__ = ["open_replica"]
CHANNEL = "C-SHOP"
QUIET_S = 4  # the Events of these tests are stamped to the second: room for one to arrive as news


def config(*kinds: str, quiet_s: float) -> dict[str, object]:
    return {
        "watch": {
            "enabled": True,
            "kinds": list(kinds),
            "namespaces": [NS],
            "timeout_s": 60,
            "event_quiet_s": quiet_s,
        },
        "routes": [{"match": [f"namespace={NS}"], "places": [{"platform": "slack", "channel": CHANNEL}]}],
    }


async def test_a_quiet_event_card_closes_in_place_and_opens_again_on_a_new_occurrence(
    open_replica: OpenReplica, fake_k8s: FakeKubernetes
) -> None:
    world = await open_replica(**config("events", quiet_s=QUIET_S))
    await world.service.start()
    await fake_k8s.watch.wait_streams(1)
    event = warning(fake_k8s, "checkout")
    await world.surface.wait_for(lambda s: len(s.posts) == 1)
    assert world.surface.posts[0].reply.text == "Unhealthy: Pod shop/checkout (cluster fake)"
    await world.surface.wait_for(lambda s: s.messages(CHANNEL)[0].text.startswith("Recovered: "), timeout=60)
    assert world.surface.messages(CHANNEL)[0].text == "Recovered: Unhealthy: Pod shop/checkout (cluster fake)"

    rule = fake_k8s.forbid(verb="watch", resource="events")  # away while the history is compacted:
    fake_k8s.watch.drop_all()
    warning(fake_k8s, "unrelated", ns="default")
    fake_k8s.watch.compact()  # its next watch is refused (410) and it lists everything again,
    fake_k8s.access.rules.remove(rule)  # this Event included, as it was
    expired = world.app.metrics.watch_restarts.labels("fake", "events", "expired")
    await until(lambda: expired._value.get() == 1)  # the relist is handled next, before any new change
    await fake_k8s.watch.wait_streams(1)
    again(fake_k8s, event)
    await world.surface.wait_for(lambda s: s.field(s.messages(CHANNEL)[0], "Seen") == "2 times")
    states = [reply.text.split(":")[0] for _, reply in world.surface.updates]
    assert states[:2] == ["Recovered", "Unhealthy"]  # never reopened by the relist alone
    assert len(world.surface.posts) == 1


async def test_an_event_card_closes_when_its_pod_goes_or_its_crash_loop_recovers(
    open_replica: OpenReplica, fake_k8s: FakeKubernetes
) -> None:
    world = await open_replica(**config("events", "pods", quiet_s=3600))
    await world.service.round()
    await fake_k8s.watch.wait_streams(2)
    fake_k8s.add(crashing_pod("checkout"))
    fake_k8s.add(crashing_pod("payments"))
    warning(fake_k8s, "checkout", reason="BackOff")
    warning(fake_k8s, "payments", reason="BackOff")
    await world.surface.wait_for(lambda s: len(s.posts) == 4)

    healed(fake_k8s, "checkout")
    fake_k8s.cluster.store.remove(resource_for_kind("Pod"), NS, "payments")
    closed = {
        f"Recovered: {reason}: Pod shop/{pod} (cluster fake)"
        for reason in ("BackOff", "CrashLoopBackOff")
        for pod in ("checkout", "payments")
    }
    await world.surface.wait_for(lambda s: {r.text for r in s.messages(CHANNEL)} == closed)
    assert len(world.surface.posts) == 4
