"""Cluster event → card latency at a steady event rate, beside the bare official client's watch.

Run: `python bench/bench_alerts.py [--rate 100] [--seconds 10] [--objects 50] [--repeats 3]`.
The fake API server runs in a process of its own and creates Warning Events
at `rate` per second about `objects` pods (each event a new Event object; new pod names each run),
noting when it stored each one. Sides, alternated over repeats:
* figure: the leader's pipeline of `bot/alerts` — `ClusterWatch` (list + watch
  with the official client in a thread) → `ClusterSignals` (classify, one
  SQLite transaction per batch) → `Notifier` (card claim, post or update on a
  recording `ChatSurface`) — on a fresh SQLite file; an event's latency is the
  time from its creation until its object's card first shows a count that
  includes it;
* floor: the bare official client (`kubernetes.watch.Watch().stream` over
  `list_namespaced_event`, raw dicts), an event's latency being its arrival.
Printed: p50 and p99 of each side with the per-repeat ratio (min/median/max).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import multiprocessing.connection
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.compare import Ratios, percentile
from tests.fake_k8s import FakeKubernetes
from tests.fake_k8s import builders as b
from tests.fake_k8s.plugin import write_kubeconfig

NS = "bench"
Created = dict[tuple[str, int], float]  # (pod, n-th event about it) → when the server stored it


def serve(conn: multiprocessing.connection.Connection) -> None:
    async def burst(rate: float, seconds: float, objects: int, prefix: str) -> Created:
        created: Created = {}
        total = int(rate * seconds)
        start = time.time()
        for i in range(total):
            delay = start + i / rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            pod, n = f"{prefix}-pod-{i % objects:03d}", i // objects + 1
            message = f"Readiness probe failed: HTTP probe failed with statuscode: 503 (#{n})"
            fake.add(b.event(NS, kind="Pod", name=pod, reason="Unhealthy", message=message, count=1))
            created[(pod, n)] = time.time()
        return created

    async def main() -> None:
        global fake
        fake = FakeKubernetes()
        fake.add(b.namespace(NS))
        await fake.start()
        conn.send((fake.url, fake.token))
        while True:
            command = await asyncio.to_thread(conn.recv)
            if command[0] == "stop":
                break
            conn.send(await burst(*command[1:]))
        await fake.stop()

    asyncio.run(main())


fake: FakeKubernetes


class RecordingSurface:
    """A chat surface that notes when each pod's card first showed each count."""

    platform = "slack"

    def __init__(self) -> None:
        self.shown: dict[str, list[tuple[float, int]]] = {}
        self._posts = 0

    def _note(self, reply: Any) -> None:
        pod = reply.text.split(f"Pod {NS}/")[1].split(" ")[0]
        seen = next(f.value for f in reply.fields if f.name == "Seen")
        count = 1 if seen == "once" else int(seen.split()[0])
        self.shown.setdefault(pod, []).append((time.time(), count))

    async def post(self, reply: Any, *, place: Any) -> Any:
        from bot.domain.ports import PostedRef

        self._posts += 1
        self._note(reply)
        return PostedRef(self.platform, {"ts": str(self._posts)})

    async def update(self, ref: Any, reply: Any) -> bool:
        self._note(reply)
        return True

    def latencies(self, created: Created) -> list[float]:
        out = []
        for (pod, n), at in created.items():
            shown = next((t for t, count in self.shown.get(pod, []) if count >= n), None)
            out.append((shown if shown is not None else float("inf")) - at)
        return out

    def complete(self, created: Created) -> bool:
        final: dict[str, int] = {}
        for pod, n in created:
            final[pod] = max(final.get(pod, 0), n)
        return all(max((c for _, c in self.shown.get(p, [])), default=0) >= n for p, n in final.items())


async def figure_side(kubeconfig: Path, conn: Any, args: argparse.Namespace, workdir: Path) -> list[float]:
    from bot.alerts.flood import FloodControl
    from bot.alerts.notifier import Notifier
    from bot.alerts.subscriptions import SignalRouting
    from bot.alerts.watcher import ClusterSignals, WatchRunner
    from bot.gate.metrics import Metrics
    from bot.settings.alerts_settings import AlertsSettings
    from storage.store import Store
    from tools.kubernetes.clusters import ClusterConfig
    from tools.kubernetes.watch import WatchTarget

    store = await Store.open(f"sqlite+aiosqlite:///{workdir / f'bench-{time.time_ns()}.db'}")
    surface = RecordingSurface()
    settings = AlertsSettings.model_validate(
        {"default_places": [{"platform": "slack", "channel": "C1"}], "watch": {"enabled": True}}
    )
    notifier = Notifier(
        store=store,
        surfaces={"slack": surface},  # type: ignore[dict-item]
        flood=FloodControl(limit=100_000),
        owner="bench",
        metrics=Metrics(),
    )
    handler = ClusterSignals(
        cluster="fake",
        store=store,
        notifier=notifier,
        routing=SignalRouting.from_settings(settings, clusters=["fake"]),
        metrics=Metrics(),
    )
    cluster = ClusterConfig(name="fake", kubeconfig=kubeconfig, context="fake")
    runner = asyncio.create_task(
        WatchRunner(cluster, [WatchTarget("events", NS)], store, handler, timeout_s=300).run()
    )
    async with handler.progress:
        await handler.progress.wait_for(lambda: handler.handled >= 1)  # listed: the watch is open next
    await asyncio.sleep(0.5)  # the stream's request is on its way; the burst may start
    conn.send(("burst", args.rate, args.seconds, args.objects, f"f{time.time_ns()}"))
    created: Created = await asyncio.to_thread(conn.recv)
    deadline = time.monotonic() + 120
    while not surface.complete(created) and time.monotonic() < deadline:
        async with handler.progress:
            await asyncio.wait_for(handler.progress.wait(), timeout=5)
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    await store.close()
    return surface.latencies(created)


def floor_side(kubeconfig: Path, conn: Any, args: argparse.Namespace) -> list[float]:
    from kubernetes import client, config, watch

    api = config.new_client_from_config(config_file=str(kubeconfig), context="fake")
    core = client.CoreV1Api(api)
    listed = core.list_namespaced_event(NS, _preload_content=False)
    import json

    version = json.loads(listed.data)["metadata"]["resourceVersion"]
    arrived: dict[tuple[str, int], float] = {}
    expected = int(args.rate * args.seconds)
    stopper = watch.Watch()
    ready = threading.Event()

    def call(**kwargs: Any) -> Any:
        ready.set()
        return core.list_namespaced_event(NS, **kwargs)

    def consume() -> None:
        for event in stopper.stream(call, resource_version=version, timeout_seconds=300):
            obj = event["raw_object"]
            n = int(obj["message"].rsplit("#", 1)[1].rstrip(")"))
            arrived[(obj["involvedObject"]["name"], n)] = time.time()
            if len(arrived) >= expected:
                break

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    ready.wait(10)
    time.sleep(0.5)
    conn.send(("burst", args.rate, args.seconds, args.objects, f"b{time.time_ns()}"))
    created: Created = conn.recv()
    thread.join(120)
    stopper.stop()
    api.close()
    return [arrived.get(key, float("inf")) - at for key, at in created.items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--objects", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(child,), daemon=True)
    server.start()
    url, token = parent.recv()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        kubeconfig = write_kubeconfig(workdir / "kubeconfig", url=url, token=token)
        p50 = Ratios("event → card p50", "ms")
        p99 = Ratios("event → card p99", "ms")
        for i in range(args.repeats):
            order = ("figure", "floor") if i % 2 == 0 else ("floor", "figure")
            results: dict[str, list[float]] = {}
            for name in order:
                if name == "figure":
                    results[name] = asyncio.run(figure_side(kubeconfig, parent, args, workdir))
                else:
                    results[name] = floor_side(kubeconfig, parent, args)
            fig, flo = results["figure"], results["floor"]
            p50.add(percentile(fig, 0.5) * 1000, percentile(flo, 0.5) * 1000)
            p99.add(percentile(fig, 0.99) * 1000, percentile(flo, 0.99) * 1000)
            lost = sum(1 for x in fig if x == float("inf"))
            print(
                f"repeat {i + 1}: figure p50 {p50.figure[-1]:.1f} ms p99 {p99.figure[-1]:.1f} ms"
                f" (never shown: {lost}) | floor p50 {p50.floor[-1]:.1f} ms p99 {p99.floor[-1]:.1f} ms",
                flush=True,
            )
    parent.send(("stop",))
    server.join(10)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"\n{args.rate:g} events/s for {args.seconds:g} s about {args.objects} pods, {when}")
    print(p50.line(fmt="{:.1f}"))
    print(p99.line(fmt="{:.1f}"))


if __name__ == "__main__":
    main()
