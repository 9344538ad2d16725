"""Cards go where `!watch` subscribed, with no watch in the config at all: a crash-looping pod in the
subscribed namespace is one card in that channel and none in channels that did not subscribe (nor in
the config's default place); kinds and reasons filters hold; `!unwatch` stops new cards; a place both
routed by the config and subscribed gets one card; a subscription made through one replica is
honoured by the leader of another on the same database, within its polling, without a restart.

The places of one signal are shown in one pass, the config's places first and then the subscribed
ones in channel order, so once a card is in a later channel an unwanted one in an earlier channel
would already be there."""

from __future__ import annotations

from tests.alerts.watching import NS, OpenReplica, again, crashing_pod, open_replica, say, titles, warning
from tests.fake_k8s.server import FakeKubernetes

__all__ = ["open_replica"]
ALL = "C-ALL"  # the config's default place (tests/alerts/conftest.py)


async def test_a_subscribed_channel_gets_the_card_and_others_none(
    open_replica: OpenReplica, fake_k8s: FakeKubernetes
) -> None:
    world = await open_replica()
    await say(world, f"!watch {NS}", channel="C-SHOP")
    await say(world, f"!watch {NS} --reasons ImagePullBackOff", channel="C-PULL")
    await say(world, "!watch all --kinds nodes", channel="C-NODES")
    await say(world, "!watch prod --kinds deployments", channel="C-PROD-DEPLOY")
    await world.service.round()
    fake_k8s.add(crashing_pod("checkout"))
    await world.surface.wait_for(lambda s: len(s.messages("C-SHOP")) == 1)
    await world.surface.wait_for(lambda s: len(s.messages("C-NODES")) == 2)  # the seeded node-2 is unwell

    assert titles(world.surface, "C-SHOP") == ["CrashLoopBackOff: Pod shop/checkout (cluster fake)"]
    assert sorted(titles(world.surface, "C-NODES")) == [
        "MemoryPressure: Node node-2 (cluster fake)",
        "NotReady: Node node-2 (cluster fake)",
    ]
    for quiet in ("C-PULL", "C-PROD-DEPLOY", ALL):
        assert world.surface.messages(quiet) == []

    fake_k8s.add(crashing_pod("cart", mode="imagepull"))
    await world.surface.wait_for(lambda s: len(s.messages("C-PULL")) == 1)
    assert titles(world.surface, "C-PULL") == ["ImagePullBackOff: Pod shop/cart (cluster fake)"]


async def test_unwatch_stops_new_cards(open_replica: OpenReplica, fake_k8s: FakeKubernetes) -> None:
    world = await open_replica()
    await say(world, f"!watch {NS}", channel="C-SHOP")
    await world.service.round()
    fake_k8s.add(crashing_pod("checkout"))
    await world.surface.wait_for(lambda s: len(s.messages("C-SHOP")) == 1)

    await say(world, f"!unwatch {NS}", channel="C-SHOP")
    await say(world, f"!watch {NS}", channel="C-WITNESS")  # after C-SHOP: sees what C-SHOP would
    await world.service.round()
    fake_k8s.add(crashing_pod("payments"))
    await world.surface.wait_for(
        lambda s: "CrashLoopBackOff: Pod shop/payments (cluster fake)" in titles(s, "C-WITNESS")
    )
    assert titles(world.surface, "C-SHOP") == ["CrashLoopBackOff: Pod shop/checkout (cluster fake)"]


async def test_a_place_routed_and_subscribed_gets_one_card_and_the_config_only_what_it_watches(
    open_replica: OpenReplica, fake_k8s: FakeKubernetes
) -> None:
    world = await open_replica(
        watch={"enabled": True, "kinds": ["events"], "namespaces": [NS], "timeout_s": 60},
        routes=[{"match": [f"namespace={NS}"], "places": [{"platform": "slack", "channel": "C-SHOP"}]}],
    )
    await say(world, f"!watch {NS}", channel="C-SHOP")
    await say(world, "!watch all --reasons Unhealthy", channel="C-WITNESS")
    await world.service.round()
    event = warning(fake_k8s, "checkout")
    warning(fake_k8s, "elsewhere", ns="default")  # the config watches shop only: not for C-ALL
    seen = {f"Unhealthy: Pod {where} (cluster fake)" for where in ("shop/checkout", "default/elsewhere")}
    await world.surface.wait_for(lambda s: seen <= set(titles(s, "C-WITNESS")))
    again(fake_k8s, event)
    await world.surface.wait_for(lambda s: s.field(s.messages("C-SHOP")[0], "Seen") == "2 times")

    assert titles(world.surface, "C-SHOP") == ["Unhealthy: Pod shop/checkout (cluster fake)"]
    assert [p.place.channel for p in world.surface.posts].count("C-SHOP") == 1
    assert world.surface.messages(ALL) == []


async def test_a_watch_made_through_one_replica_is_honoured_by_the_leader_of_another(
    open_replica: OpenReplica, fake_k8s: FakeKubernetes
) -> None:
    leader = await open_replica()
    other = await open_replica(surface=leader.surface)
    await leader.service.start()  # its own loop: leads, and watches nothing yet
    await say(other, f"!watch {NS}", channel="C-SHOP")
    fake_k8s.add(crashing_pod("checkout"))
    await leader.surface.wait_for(lambda s: len(s.messages("C-SHOP")) == 1)
    assert titles(leader.surface, "C-SHOP") == ["CrashLoopBackOff: Pod shop/checkout (cluster fake)"]
    assert leader.service.leading and not other.service.leading
