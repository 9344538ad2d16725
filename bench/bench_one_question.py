"""One question from a cold console beside a floor script doing the same reads and model calls.

Figure: `chatops chat` in a fresh process, stdin one question, against the
seeded fake Kubernetes API (real client, real HTTP) and the fake
OpenAI-compatible model, which answers at once with two reads (list the pods,
diagnose the failing one) and then the answer. Each run is a new console user
(a new conversation), so no run carries an earlier run's history. Floor:
bench/one_question_floor.py in a fresh process: the same libraries imported
(LangChain, the OpenAI client, the Kubernetes client), the same two reads
with the official client, the same three model calls, the answer printed.
Wall time from spawn to exit; memory is each child's own peak (VmHWM, written
by the child as it exits, see bench/peak_launcher.py). The sides alternate;
prints min/median/max of each and of the ratio. Targets (ANCHORS.md): wall at
most a third of HolmesGPT's and peak at most 200 MB; the ratio to the floor is
the bot's own cost (no target of its own; the last ratios are in bench/README.md).

Run: python bench/bench_one_question.py [runs]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes live under tests/

from bench.compare import Ratios, launch_with_peak
from tests.fake_k8s.plugin import write_kubeconfig
from tests.fake_k8s.seed import seed_demo
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_llm import Call, FakeLLM, LLMRequest, Say, Step

ROOT = Path(__file__).resolve().parents[1]
RSS_TARGET_MB = 200
QUESTION = "which pods are failing in prod, and why?"
ANSWER = "worker-imagepull in prod cannot pull its image; fix the tag."


def script(request: LLMRequest) -> Step:
    done = len(request.tool_results())
    if done == 0:
        return Call.one("k8s_read", "k8s_get", {"kind": "pods", "namespace": "prod"})
    if done == 1:
        return Call.one(
            "k8s_read", "k8s_diagnose", {"kind": "pod", "name": "worker-imagepull", "namespace": "prod"}
        )
    return Say(ANSWER)


class Servers:
    """The fake Kubernetes API and the fake model on their own event loop in a thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.k8s = FakeKubernetes()
        self.llm: FakeLLM | None = None

    def start(self) -> None:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(timeout=30)

    async def _start(self) -> None:
        seed_demo(self.k8s)
        await self.k8s.start()
        self.llm = await FakeLLM.start()
        self.llm.script = script

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(timeout=30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    async def _stop(self) -> None:
        assert self.llm is not None
        await self.llm.close()
        await self.k8s.stop()


def ask_bot(config: Path, workdir: Path, run: int) -> tuple[float, float]:
    """Wall seconds and peak MB of one cold `chatops chat`, as a new console user."""
    child = launch_with_peak(
        ["-m", "bot", "--config", str(config), "chat", "--user", f"bench{run:03d}"],
        stdin=QUESTION.encode() + b"\n",
        cwd=ROOT,
        workdir=workdir,
    )
    # The question really went through: two reads, then the model's answer.
    if child.returncode != 0 or ANSWER not in child.output or "k8s_diagnose" not in child.output:
        raise SystemExit(f"chatops chat exited {child.returncode}:\n{child.output[-2000:]}")
    return child.wall_s, child.peak_mb


def ask_floor(kubeconfig: Path, base_url: str, workdir: Path) -> tuple[float, float]:
    child = launch_with_peak(
        [str(ROOT / "bench" / "one_question_floor.py"), str(kubeconfig), base_url, QUESTION],
        stdin=b"",
        cwd=ROOT,
        workdir=workdir,
    )
    if child.returncode != 0 or ANSWER not in child.output:
        raise SystemExit(f"the floor script exited {child.returncode}:\n{child.output[-2000:]}")
    return child.wall_s, child.peak_mb


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    servers = Servers()
    servers.start()
    assert servers.llm is not None
    wall = Ratios("wall time, cold process to exit", "s")
    peak = Ratios("peak memory (VmHWM)", "MB")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            kubeconfig = write_kubeconfig(
                workdir / "kubeconfig", url=servers.k8s.url, token=servers.k8s.token
            )
            config = workdir / "config.yaml"
            config.write_text(
                f"storage: {{url: 'sqlite+aiosqlite:///{workdir / 'bot.db'}'}}\n"
                f"clusters: [{{name: fake, kubeconfig: '{kubeconfig}', context: fake}}]\n"
                f"llm: {{model: fake-model, base_url: '{servers.llm.base_url}'}}\n"
            )
            ask_bot(config, workdir, 999)  # the database created and migrated once, as in use
            for run in range(runs):
                sides = [
                    ("bot", lambda r=run: ask_bot(config, workdir, r)),
                    ("floor", lambda: ask_floor(kubeconfig, servers.llm.base_url, workdir)),  # type: ignore[union-attr]
                ]
                got = dict((name, measure()) for name, measure in sides[:: 1 if run % 2 == 0 else -1])
                wall.add(got["bot"][0], got["floor"][0])
                peak.add(got["bot"][1], got["floor"][1])
    finally:
        servers.stop()
    print(
        f"one question from a cold console (2 reads + answer, model answering at once), {runs} alternated runs"
    )
    print("  " + wall.line())
    print("  " + peak.line(fmt="{:.0f}"))
    worst = max(peak.figure)
    print(
        f"  bot's peak memory <= {RSS_TARGET_MB} MB in every run: {'ok' if worst <= RSS_TARGET_MB else 'OVER'}"
    )


if __name__ == "__main__":
    main()
