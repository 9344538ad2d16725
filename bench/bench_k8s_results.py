"""List 10,000 pods through the `k8s_get` operation against the fake API server; print the figures.

Run: `python bench/bench_k8s_results.py [--pods 10000] [--unhealthy-every 25]`.
The fake server runs in a child process (so its memory is not counted), seeded
with N pods in namespace `load`, every k-th one in CrashLoopBackOff. The bench
then prints: the token count of the raw JSON the API returns for that list
(o200k via `bpe_openai` when importable, else chars/4, saying which), the
token count of the operation's result text, how many unhealthy pods the
result counts or names, and this process's peak RSS while listing.
Targets: result ≤ 2,000 tokens, peak ≤ 250 MB RSS. A measurement, not a
test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import multiprocessing.connection
import re
import resource
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fake_k8s import FakeKubernetes, seed_demo, seed_many_pods
from tests.fake_k8s.plugin import write_kubeconfig
from tools.base import RunContext
from tools.kubernetes import ClusterConfig, ClusterSet, kubernetes_operations


def token_counter() -> tuple[Callable[[str], int], str]:
    try:
        import bpe_openai  # type: ignore[import-untyped]

        encoding = bpe_openai.get_encoding("o200k_base")

        def count(text: str) -> int:
            # The encoder refuses huge inputs; cutting every 200k characters changes the count negligibly.
            return sum(len(encoding.encode(text[i : i + 200_000])) for i in range(0, len(text), 200_000))

        return count, "o200k_base (bpe_openai)"
    except Exception:
        return (lambda text: -(-len(text) // 4)), "estimate: characters / 4 (bpe_openai not importable)"


def serve(pods: int, unhealthy_every: int, conn: multiprocessing.connection.Connection) -> None:
    async def main() -> None:
        fake = FakeKubernetes()
        seed_demo(fake)
        unhealthy = seed_many_pods(fake, pods, unhealthy_every=unhealthy_every)
        await fake.start()
        conn.send((fake.url, fake.token, unhealthy))
        await asyncio.to_thread(conn.recv)  # any message: stop
        await fake.stop()

    asyncio.run(main())


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def raw_json_tokens(url: str, token: str, count: Callable[[str], int]) -> tuple[int, int]:
    """Tokens and bytes of the whole list as the API returns it, page by page."""
    http = urllib3.PoolManager()
    tokens = size = 0
    cont = ""
    while True:
        fields = {"limit": "500", **({"continue": cont} if cont else {})}
        response = http.request(
            "GET",
            f"{url}/api/v1/namespaces/load/pods",
            fields=fields,
            headers={"Authorization": f"Bearer {token}"},
        )
        text = response.data.decode()
        tokens += count(text)
        size += len(text)
        match = re.search(r'"continue":"([^"]+)"', text)
        if not match:
            return tokens, size
        cont = match.group(1)


async def run_listing(kubeconfig: Path, args: dict[str, object]) -> tuple[str, float]:
    clusters = ClusterSet([ClusterConfig(name="fake", kubeconfig=kubeconfig, context="fake")])
    operation = next(op for op in kubernetes_operations(clusters=clusters) if op.name == "k8s_get")
    started = time.perf_counter()
    result = await operation.run(operation.parse_args(args), RunContext(request_id="bench"))
    return result.text, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=10_000)
    parser.add_argument("--unhealthy-every", type=int, default=25)
    options = parser.parse_args()
    count, how = token_counter()

    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(options.pods, options.unhealthy_every, child), daemon=True
    )
    server.start()
    url, token, unhealthy = parent.recv()
    try:
        kubeconfig = write_kubeconfig(Path(tempfile.mkdtemp()) / "kubeconfig", url=url, token=token)
        print(f"pods: {options.pods} in namespace load, {unhealthy} in CrashLoopBackOff; tokens: {how}")
        cases: list[tuple[str, dict[str, object]]] = [
            ("namespace load", {"kind": "pods", "namespace": "load"}),
            ("all namespaces", {"kind": "pods", "all_namespaces": True}),
        ]
        for label, args in cases:
            before = rss_mb()
            tracemalloc.start()
            text, seconds = asyncio.run(run_listing(kubeconfig, args))
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            every = options.unhealthy_every
            bad_names = [f"load-{i:05d}" for i in range(options.pods) if every and i % every == every - 1]
            named = sum(1 for name in bad_names if name in text)
            counted = bool(re.search(rf"\b{unhealthy}\b", text))
            result_tokens = count(text)
            verdict = "OK" if result_tokens <= 2000 else "OVER BUDGET"
            print(f"\n[{label}] k8s_get in {seconds:.2f} s")
            print(f"  result text: {result_tokens} tokens ({verdict}, target ≤ 2,000)")
            stated = "yes" if counted else "no"
            print(f"  unhealthy pods: {named} of {unhealthy} named; the total {unhealthy} stated: {stated}")
            print(
                f"  peak RSS: {rss_mb():.0f} MB (before: {before:.0f} MB; target ≤ 250 MB); "
                f"Python allocations peak {traced_peak / 1e6:.0f} MB"
            )
            print("  first lines of the result:")
            for line in text.splitlines()[:8]:
                print(f"    {line[:150]}")
        # Last, so its large strings do not inflate the peak RSS measured above.
        raw_tokens, raw_bytes = raw_json_tokens(url, token, count)
        print(f"\nraw API JSON of the namespace load list: {raw_bytes / 1e6:.1f} MB, {raw_tokens:,} tokens")
    finally:
        parent.send("stop")
        server.join(timeout=10)


if __name__ == "__main__":
    main()
