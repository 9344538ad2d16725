"""`!watch`, `!unwatch` and `!watches` in chat: only the role `policy.watch_role` (operator by default)
subscribes a channel; the namespace must exist and be readable by the requester there (`all`: every
namespace); unknown kinds or reasons get one sentence listing the valid ones; every (un)subscription
and refusal is an audit fact and shows in `!history`; the place is the request's, on any platform."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.models import ReplyKind
from storage.records import AuditFilter
from tests.alerts.watching import NS, OPERATOR, VIEWER, OpenReplica, open_replica, say
from tests.fake_k8s import builders as b
from tests.fake_k8s.server import FakeKubernetes

__all__ = ["open_replica"]
CHANNEL = "C-SHOP"


async def facts(world: Any, event: str) -> list[tuple[str | None, Any]]:
    rows = await world.app.store.list_audit(AuditFilter(event=event, limit=100))
    return [(row.status, row.detail) for row in rows]


async def test_a_viewer_is_refused_and_an_operator_subscribes_the_channel(open_replica: OpenReplica) -> None:
    world = await open_replica()
    refused = await say(world, f"!watch {NS}", channel=CHANNEL, user=VIEWER)
    assert refused.kind is ReplyKind.DENIED
    assert refused.text == (
        "Refused: subscribing this channel to cluster events needs the operator role; you are viewer."
    )
    assert await world.app.store.watch_subscriptions.all() == []

    done = await say(
        world, f"!watch {NS} --kinds pods,deploy --reasons crashloopbackoff,BackOff", channel=CHANNEL
    )
    assert done.text == (
        "This channel now gets a card for each problem in namespace shop of cluster fake "
        "(kinds Deployment, Pod; reasons BackOff, CrashLoopBackOff)."
    )
    (stored,) = await world.app.store.watch_subscriptions.all()
    assert (stored.platform, stored.channel, stored.cluster, stored.namespace) == (
        "slack",
        CHANNEL,
        "fake",
        NS,
    )
    assert (stored.kinds, stored.reasons, stored.created_by) == (
        ("Deployment", "Pod"),
        ("BackOff", "CrashLoopBackOff"),
        f"slack:{OPERATOR}",
    )
    subscribed = await facts(world, "watch.subscribed")
    assert [status for status, _ in subscribed] == ["refused", "ok"]
    assert subscribed[1][1] == {
        "cluster": "fake",
        "namespace": NS,
        "kinds": ["Deployment", "Pod"],
        "reasons": ["BackOff", "CrashLoopBackOff"],
    }

    history = await say(world, "!history", channel=CHANNEL)
    assert history.table is not None
    assert [row[1:] for row in history.table.rows[:1]] == [
        ("!watch shop --kinds pods,deploy --reasons crashloopbackoff,BackOff", "!watch ok")
    ]


@pytest.mark.parametrize(
    ("words", "sentence"),
    [
        (
            "--kinds pods,widgets",
            "Unknown kind 'widgets'; the kinds a watch can keep are: pods, deployments,",
        ),
        ("--reasons Sad", "Unknown reason 'Sad'; the reasons a watch can keep are: CrashLoopBackOff,"),
        ("--cluster elsewhere", "Unknown cluster 'elsewhere' (known: fake)."),
        ("--colour red", "Unknown option --colour. Usage: !watch [namespace|all]"),
    ],
)
async def test_wrong_words_get_one_sentence_and_store_nothing(
    open_replica: OpenReplica, words: str, sentence: str
) -> None:
    world = await open_replica()
    reply = await say(world, f"!watch {NS} {words}", channel=CHANNEL)
    assert reply.kind is ReplyKind.ERROR and reply.text.startswith(sentence)
    assert reply.text.count(". ") <= 1 and "\n" not in reply.text
    assert await world.app.store.watch_subscriptions.all() == []


async def test_a_namespace_must_exist_and_be_readable_here(
    open_replica: OpenReplica, fake_k8s: FakeKubernetes
) -> None:
    fake_k8s.add(b.namespace("vault"))
    world = await open_replica(
        policy={"rules": [{"safety": "read", "namespace": "vault", "decision": "deny"}]}
    )
    missing = await say(world, "!watch staging", channel=CHANNEL)
    assert missing.text == (
        "Namespace staging does not exist in cluster fake; `!get namespaces` lists the ones that do."
    )
    hidden = await say(world, "!watch vault", channel=CHANNEL)
    assert hidden.text == "Refused: you may not read namespace vault of cluster fake in this channel."
    everything = await say(world, "!watch all", channel=CHANNEL)
    assert everything.text == (
        "Refused: watching every namespace needs read access to all of them; you may not read vault "
        "in this channel. Watch the others one by one."
    )
    assert await world.app.store.watch_subscriptions.all() == []
    assert (await say(world, "!watch prod", channel=CHANNEL)).kind is ReplyKind.INFO


async def test_watches_lists_the_channel_and_unwatch_removes_one(open_replica: OpenReplica) -> None:
    world = await open_replica()
    empty = await say(world, "!watches", channel=CHANNEL, user=VIEWER)
    assert empty.text == "This channel watches nothing; `!watch [namespace|all]` subscribes it."
    await say(world, f"!watch {NS}", channel=CHANNEL)
    await say(world, "!watch all --kinds nodes", channel=CHANNEL)
    await say(world, "!watch prod", channel="C-OTHER")
    listed = await say(world, "!watches", channel=CHANNEL, user=VIEWER)
    assert listed.text == "This channel watches 2 place(s):" and listed.table is not None
    assert [row[:4] for row in listed.table.rows] == [
        ("fake", "all", "Node", "all"),
        ("fake", NS, "all", "all"),
    ]

    assert (await say(world, f"!unwatch {NS}", channel=CHANNEL, user=VIEWER)).kind is ReplyKind.DENIED
    gone = await say(world, f"!unwatch {NS}", channel=CHANNEL)
    assert gone.text == "This channel no longer gets cards for namespace shop of cluster fake."
    again = await say(world, f"!unwatch {NS}", channel=CHANNEL)
    assert again.kind is ReplyKind.ERROR
    assert (
        again.text
        == "This channel does not watch namespace shop of cluster fake; `!watches` lists what it does."
    )
    left = await world.app.store.watch_subscriptions.all()
    assert [(s.channel, s.namespace) for s in left] == [("C-OTHER", "prod"), (CHANNEL, "")]
    assert [status for status, _ in await facts(world, "watch.unsubscribed")] == ["refused", "ok"]


@pytest.mark.parametrize("platform", ["discord", "mattermost", "console"])
async def test_every_platform_subscribes_its_own_place(open_replica: OpenReplica, platform: str) -> None:
    members = [f"{platform}:user:{OPERATOR}"]
    world = await open_replica(policy={"roles": {"operator": {"members": members}}})
    reply = await say(world, f"!watch {NS}", channel="room-1", platform=platform)
    assert reply.kind is ReplyKind.INFO, reply.text
    (stored,) = await world.app.store.watch_subscriptions.all()
    assert (stored.platform, stored.channel) == (platform, "room-1")


async def test_without_alert_cards_nothing_is_subscribed(open_replica: OpenReplica) -> None:
    world = await open_replica(enabled=False)
    reply = await say(world, f"!watch {NS}", channel=CHANNEL)
    assert (
        reply.text == "Cluster-event cards are off in this bot (alerts.enabled in its config); ask an admin."
    )
    assert await world.app.store.watch_subscriptions.all() == []
