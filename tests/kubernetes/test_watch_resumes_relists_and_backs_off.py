"""The cluster watch with the official client against the fake API's watch streams: it lists once,
watches from that version, resumes from the last version after a dropped connection (nothing lost,
nothing twice), relists when the version is gone (410), keeps bookmarks, and backs off on errors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from tests.fake_k8s.server import FakeKubernetes
from tests.kubernetes.watch_helpers import Collected, bump, quick_backoff, warning
from tools.kubernetes.cluster_watch import ClusterWatch
from tools.kubernetes.clusters import ClusterSet
from tools.kubernetes.watch import Bookmark, Listed, Restart, WatchTarget

EVENTS = WatchTarget("events")


Start = Callable[..., Awaitable[Collected]]


@pytest.fixture
async def start(fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet) -> AsyncIterator[Start]:
    started: list[ClusterWatch] = []

    async def run(*targets: WatchTarget, positions: dict[str, str | None] | None = None) -> Collected:
        watch = ClusterWatch(
            fake_cluster_set.get("fake"),
            targets,
            positions=positions or {},
            timeout_s=60,
            backoff=quick_backoff,
        )
        await watch.start()
        started.append(watch)
        return Collected(watch.queue)

    yield run
    for watch in started:  # before the fake server stops (it is this fixture's dependency)
        await watch.stop()


async def test_lists_then_streams_warning_events_only(fake_k8s: FakeKubernetes, start: Start) -> None:
    got = await start(EVENTS)
    await got.until(lambda items: bool(got.of(Listed)))
    (listed,) = got.of(Listed)
    assert {o["reason"] for o in listed.objects} >= {"FailedScheduling", "BackOff"}
    assert all(o["type"] == "Warning" for o in listed.objects)
    await fake_k8s.watch.wait_streams(1)
    assert fake_k8s.watch.requests[-1]["resourceVersion"] == listed.resource_version
    assert fake_k8s.watch.requests[-1]["fieldSelector"] == "type=Warning"
    assert fake_k8s.watch.requests[-1]["allowWatchBookmarks"] == "true"

    from tests.fake_k8s import builders as b

    fake_k8s.add(b.event("prod", kind="Pod", name="web-1", reason="Pulled", message="ok", warning=False))
    warning(fake_k8s, "api-7")
    await got.until(lambda items: len(got.changes()) >= 1)
    (change,) = got.changes()
    assert change.type == "ADDED" and change.object["involvedObject"]["name"] == "api-7"
    assert change.object["kind"] == "Event"


async def test_a_connection_dropped_mid_stream_loses_nothing_and_repeats_nothing(
    fake_k8s: FakeKubernetes, start: Start
) -> None:
    got = await start(EVENTS)
    await got.until(lambda items: bool(got.of(Listed)))
    await fake_k8s.watch.wait_streams(1)
    fake_k8s.watch.drop_all()  # the first stream goes; the next one is cut after three events
    await got.until(lambda items: bool(got.of(Restart)))
    fake_k8s.watch.drop_after(3)
    await fake_k8s.watch.wait_streams(1)
    sent = [warning(fake_k8s, f"pod-{i}") for i in range(10)]
    await got.until(lambda items: len(got.changes()) >= 10)

    seen = [(c.object["metadata"]["uid"], c.resource_version) for c in got.changes()]
    assert seen == [(e["metadata"]["uid"], e["metadata"]["resourceVersion"]) for e in sent]
    restarts = got.of(Restart)
    assert [r.reason for r in restarts] == ["dropped", "dropped"]
    assert len(got.of(Listed)) == 1  # resumed, never relisted
    resumed_from = [q["resourceVersion"] for q in fake_k8s.watch.requests[1:]]
    assert resumed_from[-1] == sent[2]["metadata"]["resourceVersion"]


async def test_a_compacted_version_relists_and_then_streams_on(
    fake_k8s: FakeKubernetes, start: Start
) -> None:
    first = warning(fake_k8s, "old-pod")
    old = first["metadata"]["resourceVersion"]
    bump(fake_k8s, first)
    fake_k8s.watch.compact()
    got = await start(EVENTS, positions={"events": str(int(old) - 1)})
    await got.until(lambda items: bool(got.of(Listed)))
    assert [r.reason for r in got.of(Restart)] == ["expired"]
    (listed,) = got.of(Listed)
    again = next(o for o in listed.objects if o["metadata"]["uid"] == first["metadata"]["uid"])
    assert again["count"] == 2  # what happened during the gap is in the list
    await fake_k8s.watch.wait_streams(1)
    warning(fake_k8s, "new-pod")
    await got.until(lambda items: len(got.changes()) >= 1)
    assert [c.object["involvedObject"]["name"] for c in got.changes()] == ["new-pod"]


async def test_an_expired_version_answered_with_http_410_relists_too(
    fake_k8s: FakeKubernetes, start: Start
) -> None:
    warning(fake_k8s, "x")
    fake_k8s.watch.compact()
    fake_k8s.watch.expired_as_http = True
    got = await start(EVENTS, positions={"events": "1001"})
    await got.until(lambda items: bool(got.of(Listed)))
    assert [r.reason for r in got.of(Restart)] == ["expired"]


async def test_bookmarks_move_the_resume_point(fake_k8s: FakeKubernetes, start: Start) -> None:
    got = await start(WatchTarget("pods", "prod"))
    await got.until(lambda items: bool(got.of(Listed)))
    await fake_k8s.watch.wait_streams(1)
    warning(fake_k8s, "elsewhere")  # moves the global version; no pod changed
    fake_k8s.watch.bookmark()
    await got.until(lambda items: bool(got.of(Bookmark)))
    (mark,) = got.of(Bookmark)
    assert mark.resource_version == fake_k8s.cluster.store.resource_version
    fake_k8s.watch.drop_all()
    await got.until(lambda items: bool(got.of(Restart)))
    await fake_k8s.watch.wait_streams(1)
    assert fake_k8s.watch.requests[-1]["resourceVersion"] == mark.resource_version


async def test_refused_watches_back_off_and_recover(fake_k8s: FakeKubernetes, start: Start) -> None:
    rule = fake_k8s.forbid(verb="watch", resource="events")
    got = await start(EVENTS)
    await got.until(lambda items: len(got.of(Restart)) >= 3)
    assert {r.reason for r in got.of(Restart)} == {"error"}
    assert "403" in got.of(Restart)[0].detail
    fake_k8s.access.rules.remove(rule)
    await fake_k8s.watch.wait_streams(1)
    warning(fake_k8s, "after")
    await got.until(lambda items: len(got.changes()) >= 1)
    assert len(got.of(Listed)) == 1
