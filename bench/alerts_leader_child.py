"""One side of the leader bench, alone in a fresh process (driven by bench/bench_alerts_leader.py).

    python bench/alerts_leader_child.py bot|floor KUBECONFIG WORKDIR

Speaks lines on stdin/stdout: prints `ready` once imported; on `go` lists and
watches every pod of the cluster and prints `listed` once the list is handled;
on `until <resourceVersion>` prints `done` once everything up to that version
is handled; exits on `exit`. The parent reads this process's CPU and peak
memory from /proc between those lines.

* bot: the leader's pipeline of `bot/alerts` — `WatchRunner` (`ClusterWatch`:
  paged list + watch with the official client in a thread) → `ClusterSignals`
  (classify, one SQLite transaction per batch, positions saved after) →
  `Notifier` (card claims, posts and updates on a chat surface that only
  answers) on a fresh SQLite file;
* floor: the bare official client doing the same list and watch — paged
  `list_pod_for_all_namespaces` (500 per page, raw JSON) then
  `watch.Watch().stream` from the list's resourceVersion — keeping nothing.
"""

from __future__ import annotations

import asyncio
import json
import sys
import threading
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


async def read_line() -> str:
    return (await asyncio.to_thread(sys.stdin.readline)).strip()


class AnsweringSurface:
    """A chat surface that answers every post and update and keeps nothing."""

    platform = "slack"

    def __init__(self) -> None:
        self.posts = 0

    async def post(self, reply: Any, *, place: Any) -> Any:
        from bot.domain.ports import PostedRef

        self.posts += 1
        return PostedRef(self.platform, {"ts": str(self.posts)})

    async def update(self, ref: Any, reply: Any) -> bool:
        return True


async def bot_side(kubeconfig: Path, workdir: Path) -> None:
    from bot.alerts.flood import FloodControl
    from bot.alerts.notifier import Notifier
    from bot.alerts.routes import Routes
    from bot.alerts.watcher import ClusterSignals, WatchRunner
    from bot.gate.metrics import Metrics
    from bot.settings.alerts_settings import AlertsSettings
    from storage.store import Store
    from tools.kubernetes.clusters import ClusterConfig
    from tools.kubernetes.watch import WatchTarget

    store = await Store.open(f"sqlite+aiosqlite:///{workdir / 'leader.db'}")
    settings = AlertsSettings.model_validate({"default_places": [{"platform": "slack", "channel": "C1"}]})
    notifier = Notifier(
        store=store,
        surfaces={"slack": AnsweringSurface()},  # type: ignore[dict-item]
        flood=FloodControl(limit=100_000),
        owner="bench",
        metrics=Metrics(),
    )
    handler = ClusterSignals(
        cluster="fake",
        store=store,
        notifier=notifier,
        routes=Routes.from_settings(settings),
        metrics=Metrics(),
    )
    cluster = ClusterConfig(name="fake", kubeconfig=kubeconfig, context="fake")
    say("ready")
    assert await read_line() == "go"
    runner = asyncio.create_task(WatchRunner(cluster, [WatchTarget("pods")], store, handler).run())

    async def handled_up_to(version: int) -> None:
        while int((await store.watch_positions.load("fake")).get("pods", "0")) < version:
            async with handler.progress:
                await asyncio.wait_for(handler.progress.wait(), timeout=60)

    await handled_up_to(1)  # the list's version is saved once its batch is handled
    say("listed")
    command = await read_line()
    await handled_up_to(int(command.split()[1]))
    say("done")
    await read_line()
    runner.cancel()
    await asyncio.gather(runner, return_exceptions=True)
    await store.close()


def floor_side(kubeconfig: Path) -> None:
    from kubernetes import client, config, watch

    api = config.new_client_from_config(config_file=str(kubeconfig), context="fake")
    core = client.CoreV1Api(api)
    say("ready")
    assert sys.stdin.readline().strip() == "go"
    pods, token, version = 0, "", ""
    while True:
        kw: dict[str, Any] = {
            "limit": 500,
            "_preload_content": False,
            **({"_continue": token} if token else {}),
        }
        page = json.loads(core.list_pod_for_all_namespaces(**kw).data)
        pods += len(page["items"])
        version = page["metadata"]["resourceVersion"]
        token = page["metadata"].get("continue") or ""
        if not token:
            break
    seen = {"version": int(version)}
    caught_up = threading.Condition()

    def consume() -> None:
        stream = watch.Watch().stream(  # type: ignore[no-untyped-call]
            core.list_pod_for_all_namespaces, resource_version=version, timeout_seconds=300
        )
        for event in stream:
            obj = event.get("raw_object") or {}
            with caught_up:
                seen["version"] = int(obj.get("metadata", {}).get("resourceVersion") or seen["version"])
                caught_up.notify_all()

    threading.Thread(target=consume, daemon=True).start()
    say("listed")
    target = int(sys.stdin.readline().split()[1])
    with caught_up:
        caught_up.wait_for(lambda: seen["version"] >= target, timeout=120)
    say("done")
    sys.stdin.readline()
    api.close()


if __name__ == "__main__":
    side, kubeconfig, workdir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if side == "bot":
        asyncio.run(bot_side(kubeconfig, workdir))
    else:
        floor_side(kubeconfig)
