"""The agent's fixed prompt size and the bot's own overhead per agent turn; prints the figures.

1. Fixed-prompt tokens: the system prompt plus every tool schema, exactly as
   sent to the model, with the full default registry, counted with o200k
   (`bpe_openai`). Target: at most 2,500.
2. Overhead per turn: `router.handle()` of a question that makes one read and
   one change request (approval filed), against the local fake
   OpenAI-compatible server and the in-memory demo backend, minus the time
   spent inside model calls (measured by the bot around each call, so it also
   leaves out the OpenAI client's own request building). The fake model runs
   in its own process, as a model service does: sharing the bot's event loop
   it would add its own work to the bot's. Kubernetes time is excluded by
   using the demo backend. Everything the bot commits (audit facts, the
   approval row, history) is committed before `handle()` returns. Target:
   p50 at most 10 ms.

Run: python bench/bench_agent.py [turns]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from asyncio.subprocess import PIPE
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the fakes live under tests/

import bpe_openai

from bot.agent.tool_adapter import openai_tool_schemas, to_langchain_tools
from bot.agent.toolset import group_operations
from bot.app import build_app, default_operations
from bot.config import LoadedConfig, Secrets, parse_settings
from bot.models import IncomingMessage, Principal
from prompts import load_prompt
from tests.core.demo_ops import Backend, demo_operations
from tests.fake_llm import Call, FakeLLM, LLMRequest, Say, Step
from tools.kubernetes.clusters import ClusterSet
from tools.registry import Registry

TOKEN_TARGET = 2500
OVERHEAD_TARGET_MS = 10.0


def fixed_prompt_tokens() -> tuple[int, int, int]:
    registry = Registry(default_operations(parse_settings({}), ClusterSet([])))
    tools = to_langchain_tools(group_operations(registry), executor=None)  # type: ignore[arg-type]
    enc = bpe_openai.get_encoding("o200k_base")
    system = len(enc.encode(load_prompt("system")))
    schemas = len(enc.encode(json.dumps(openai_tool_schemas(tools), ensure_ascii=False)))
    return len(registry), system, schemas


def script(request: LLMRequest) -> Step:
    done = len(request.tool_results())
    if done == 0:
        return Call.one("demo_read", "demo_get", {"name": "web"})
    if done == 1:
        return Call.one("demo_change", "demo_scale", {"name": "web", "replicas": 3})
    return Say("web has 2 replicas; I asked for approval to scale it to 3.")


async def serve_model() -> None:
    """The fake model in this process until stdin closes; prints its base URL first."""
    fake = await FakeLLM.start()
    fake.script = script
    print(fake.base_url, flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await fake.close()


async def overhead_ms(turns: int) -> tuple[list[float], list[float]]:
    """Per measured turn: the bot's own milliseconds, and the milliseconds inside model calls."""
    model = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--serve-model", stdin=PIPE, stdout=PIPE
    )
    assert model.stdout is not None and model.stdin is not None
    base_url = (await model.stdout.readline()).decode().strip()
    with tempfile.TemporaryDirectory() as tmp:
        document = {
            "storage": {"url": f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"},
            "llm": {"model": "fake-model", "base_url": base_url},
            "limits": {"messages_per_minute": 100_000, "llm_calls_per_minute": 100_000},
        }
        loaded = LoadedConfig(settings=parse_settings(document), secrets=Secrets(), source=None)
        app = await build_app(loaded, operations=demo_operations(Backend()), clusters=ClusterSet([]))
        agent = app.router.agent
        assert agent is not None
        samples: list[float] = []
        model_ms: list[float] = []
        try:
            for i in range(turns + 3):
                message = IncomingMessage(
                    Principal("console", "bench", "Bench"), "ops", "scale web to 3", thread=f"t{i}"
                )
                started = time.perf_counter()
                replies = await app.router.handle(message)
                wall = time.perf_counter() - started
                turn = agent.last_turn  # type: ignore[attr-defined]
                # The flow measured is the one described: one read, one approval card.
                assert turn.model_calls == 3 and [o.operation for o in turn.outcomes] == [
                    "demo_get",
                    "demo_scale",
                ]
                assert any(r.approval_id for r in replies), replies
                if i >= 3:  # the first turns warm imports and caches
                    samples.append((wall - turn.model_seconds) * 1000)
                    model_ms.append(turn.model_seconds * 1000)
        finally:
            await app.close()
            model.stdin.close()
            await model.wait()
    return samples, model_ms


def main() -> None:
    if sys.argv[1:] == ["--serve-model"]:
        asyncio.run(serve_model())
        return
    turns = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    operations, system, schemas = fixed_prompt_tokens()
    total = system + schemas
    print(
        f"fixed prompt: {total} tokens (system {system} + tool schemas {schemas}),"
        f" {operations} operations;"
        f" target <= {TOKEN_TARGET}: {'ok' if total <= TOKEN_TARGET else 'OVER'}"
    )
    samples, model_ms = asyncio.run(overhead_ms(turns))
    p50 = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1]
    print(
        f"bot overhead per agent turn (model time excluded, demo backend): p50 {p50:.1f} ms, p95 {p95:.1f} ms"
        f" over {len(samples)} turns; target p50 <= {OVERHEAD_TARGET_MS:g} ms:"
        f" {'ok' if p50 <= OVERHEAD_TARGET_MS else 'OVER'}"
    )
    print(
        f"  (excluded: the turn's 3 model calls, p50 {statistics.median(model_ms):.1f} ms in all: the OpenAI"
        " client building each request, local HTTP, and the fake model answering at once)"
    )


if __name__ == "__main__":
    main()
