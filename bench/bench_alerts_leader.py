"""The alerts leader's own CPU and peak memory while it watches a 10,000-pod cluster, beside the floor.

Run: `python bench/bench_alerts_leader.py [--pods 10000] [--rate 50] [--seconds 10] [--repeats 3]`.
The fake API server runs in a process of its own with `pods` pods (one in 25
crash-looping); after each side has listed, it changes `rate` pods a second
for `seconds` (a crash-looping pod restarts once more, or a healthy one
starts crash-looping, or one recovers). Each side runs in a fresh process
(`alerts_leader_child.py`), alternating over repeats:
* figure: the leader's pipeline (`WatchRunner` → `ClusterSignals` →
  `Notifier`, SQLite), as `chatops run` runs it on the leader;
* floor: the bare official client's paged list and `Watch().stream` of the same pods.
Measured from outside, from /proc/<pid>/stat (utime + stime) and the child's
VmHWM: CPU for the initial list (from `go` to handled), CPU for the trickle
(until every change is handled), and peak RSS. Printed: min/median/max of
each side and of the per-repeat ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing
import multiprocessing.connection
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.compare import Ratios, peak_mb
from tests.fake_k8s import FakeKubernetes, seed_many_pods
from tests.fake_k8s.plugin import write_kubeconfig
from tests.fake_k8s.podstatus import pod_status
from tests.fake_k8s.resources import resource_for_kind

ROOT = Path(__file__).resolve().parents[1]
CHILD = ROOT / "bench" / "alerts_leader_child.py"
TICK = os.sysconf("SC_CLK_TCK")


def serve(pods: int, conn: multiprocessing.connection.Connection) -> None:
    async def trickle(rate: float, seconds: float, turn: int) -> int:
        """Change `rate` pods a second; returns the last resourceVersion written."""
        rt = resource_for_kind("Pod")
        store = fake.cluster.store
        version = 0
        start = time.time()
        for i in range(int(rate * seconds)):
            delay = start + i / rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            name = f"load-{(i * 37 + turn * 101) % pods:05d}"
            obj = store.get(rt, "load", name)
            spec = {"containers": obj["spec"]["containers"]}
            restarts = int(((obj["status"].get("containerStatuses") or [{}])[0]).get("restartCount", 0))
            mode = "running" if i % 3 == 2 else "crashloop"
            status = pod_status(spec, mode=mode, restarts=restarts + 1)  # type: ignore[arg-type]
            stored = store.put(rt, {**obj, "metadata": dict(obj["metadata"]), "status": status})
            version = int(stored["metadata"]["resourceVersion"])
        return version

    async def main() -> None:
        global fake
        fake = FakeKubernetes()
        seed_many_pods(fake, pods)
        await fake.start()
        conn.send((fake.url, fake.token))
        turn = 0
        while True:
            command = await asyncio.to_thread(conn.recv)
            if command[0] == "stop":
                break
            turn += 1
            conn.send(await trickle(command[1], command[2], turn))
        await fake.stop()

    asyncio.run(main())


fake: FakeKubernetes


def cpu_s(pid: int) -> float:
    """utime + stime of the process (all its threads), in seconds, from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def one_side(
    side: str, kubeconfig: Path, conn: Any, args: argparse.Namespace, workdir: Path
) -> dict[str, float]:
    here = workdir / f"{side}-{time.time_ns()}"
    here.mkdir()
    child = subprocess.Popen(
        [sys.executable, str(CHILD), side, str(kubeconfig), str(here)],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None and child.stdout is not None

    def expect(word: str) -> None:
        line = child.stdout.readline().strip()  # type: ignore[union-attr]
        if line != word:
            raise RuntimeError(f"{side} side said {line!r}, not {word!r}")

    def tell(line: str) -> None:
        child.stdin.write(line + "\n")  # type: ignore[union-attr]
        child.stdin.flush()  # type: ignore[union-attr]

    expect("ready")
    before = cpu_s(child.pid)
    tell("go")
    expect("listed")
    listed = cpu_s(child.pid)
    conn.send(("trickle", args.rate, args.seconds))
    version = conn.recv()
    tell(f"until {version}")
    expect("done")
    done = cpu_s(child.pid)
    peak = peak_mb(child.pid) or float("nan")
    tell("exit")
    child.wait(60)
    changes = int(args.rate * args.seconds)
    return {"list_s": listed - before, "trickle_ms": (done - listed) * 1000 / changes, "peak_mb": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(target=serve, args=(args.pods, child), daemon=True)
    server.start()
    url, token = parent.recv()
    listing = Ratios("CPU for the initial list", "s")
    trickle = Ratios("CPU per change watched", "ms")
    memory = Ratios("peak RSS", "MB")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        kubeconfig = write_kubeconfig(workdir / "kubeconfig", url=url, token=token)
        for i in range(args.repeats):
            order = ("bot", "floor") if i % 2 == 0 else ("floor", "bot")
            results = {side: one_side(side, kubeconfig, parent, args, workdir) for side in order}
            bot, floor = results["bot"], results["floor"]
            listing.add(bot["list_s"], floor["list_s"])
            trickle.add(bot["trickle_ms"], floor["trickle_ms"])
            memory.add(bot["peak_mb"], floor["peak_mb"])
            print(
                f"repeat {i + 1}: bot list {bot['list_s']:.2f} s, {bot['trickle_ms']:.2f} ms/change, "
                f"{bot['peak_mb']:.0f} MB | floor list {floor['list_s']:.2f} s, "
                f"{floor['trickle_ms']:.2f} ms/change, {floor['peak_mb']:.0f} MB",
                flush=True,
            )
    parent.send(("stop",))
    server.join(10)
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    print(
        f"\n{args.pods} pods, then {args.rate:g} changes/s for {args.seconds:g} s, {when}, load average {load:.1f}"
    )
    print(listing.line())
    print(trickle.line())
    print(memory.line(fmt="{:.0f}"))


if __name__ == "__main__":
    main()
