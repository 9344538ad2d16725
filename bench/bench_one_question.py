"""One question from a cold start, as a person at a terminal asks it; prints wall time and peak memory.

The peers' figure (ANCHORS.md): HolmesGPT's `holmes ask` takes 5.2 s median for
one question with a model that answers at once (3.7 s of it imports), at 371 MB
peak. Ours: `chatops chat` in a fresh process, stdin one question, against the
seeded fake Kubernetes API (real client, real HTTP) and the fake
OpenAI-compatible model, which answers at once with two reads (list the pods,
diagnose the failing one) and then the answer. Measured from spawning the
process to its exit (so imports, config, migrations, the reads and the answer
are all in), and the child's peak RSS from `wait4`. Targets: wall time at most a
third of HolmesGPT's (1.73 s), peak memory at most 200 MB.

Run: python bench/bench_one_question.py [runs]
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes live under tests/

from tests.fake_k8s.plugin import write_kubeconfig
from tests.fake_k8s.seed import seed_demo
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_llm import Call, FakeLLM, LLMRequest, Say, Step

ROOT = Path(__file__).resolve().parents[1]
HOLMES_WALL_S = 5.2
WALL_TARGET_S = HOLMES_WALL_S / 3
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


def ask_once(config: Path, workdir: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB and the printed output of one cold `chatops chat`."""
    out_path = workdir / "out.txt"
    with out_path.open("wb") as out:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "bot", "--config", str(config), "chat", "--user", "alice"],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        assert child.stdin is not None
        child.stdin.write(QUESTION.encode() + b"\n")
        child.stdin.close()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    text = out_path.read_text()
    if child.returncode != 0:
        raise SystemExit(f"chatops chat exited {child.returncode}:\n{text}")
    return wall, usage.ru_maxrss / 1024, text


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    servers = Servers()
    servers.start()
    assert servers.llm is not None
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
            walls, peaks = [], []
            for _ in range(runs):
                wall, peak, text = ask_once(config, workdir)
                # The question really went through: two reads, then the model's answer.
                assert ANSWER in text and "k8s_diagnose" in text, text
                walls.append(wall)
                peaks.append(peak)
    finally:
        servers.stop()
    wall = statistics.median(walls)
    peak = max(peaks)
    print(
        f"one question from a cold start (`chatops chat`, 2 reads + answer, model answering at once):"
        f" median {wall:.2f} s over {runs} runs (min {min(walls):.2f} s);"
        f" target <= {WALL_TARGET_S:.2f} s (a third of HolmesGPT's {HOLMES_WALL_S} s):"
        f" {'ok' if wall <= WALL_TARGET_S else 'OVER'}"
    )
    print(
        f"peak memory of that process: {peak:.0f} MB (max over runs); target <= {RSS_TARGET_MB} MB:"
        f" {'ok' if peak <= RSS_TARGET_MB else 'OVER'}"
    )


if __name__ == "__main__":
    main()
