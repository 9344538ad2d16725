"""List many pods through the `k8s_get` operation beside bare paging with the official client.

Run: `python bench/bench_k8s_results.py [--pods 1000,10000] [--repeats 3]` (add 50000 for the big end).
The fake API server runs in a process of its own, seeded with N pods in
namespace `load` (every k-th in CrashLoopBackOff) beside the demo namespaces.
Each side lists in a fresh process of its own (bench/k8s_listing_child.py,
started through bench/peak_launcher.py), without tracemalloc:
* figure: the `k8s_get` operation (pods of `load`, then all namespaces);
* floor: bare paging with the official client, 500 per page, counting unhealthy pods.
Printed per size and scope: the listing's own seconds and each process's peak
memory (VmHWM) with the ratio's min/median/max over alternated repeats; the
tokens of the operation's result text (o200k via `bpe_openai`, else chars/4);
whether the text states the number of unhealthy pods the official client
counts (not Running/Succeeded, or a container not ready); and the raw JSON's
size and tokens. Targets: result <= 2,000 tokens, peak <= 250 MB.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import multiprocessing.connection
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import urllib3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.compare import Ratios, launch_with_peak
from tests.fake_k8s import FakeKubernetes, seed_demo, seed_many_pods
from tests.fake_k8s.plugin import write_kubeconfig

ROOT = Path(__file__).resolve().parents[1]
CHILD = ROOT / "bench" / "k8s_listing_child.py"


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


def side(name: str, kubeconfig: Path, scope: str, workdir: Path) -> tuple[float, float, dict[str, Any]]:
    """One side in a fresh process: the listing's own seconds, the process's peak MB, what it wrote."""
    out = workdir / f"{name}.json"
    child = launch_with_peak(
        [str(CHILD), name, str(kubeconfig), scope, str(out)], stdin=b"", cwd=ROOT, workdir=workdir
    )
    if child.returncode != 0:
        raise SystemExit(f"the {name} side failed:\n{child.output[-2000:]}")
    result = json.loads(out.read_text())
    return float(result["seconds"]), child.peak_mb, result


def one_size(pods: int, every: int, repeats: int, count: Callable[[str], int], workdir: Path) -> None:
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.get_context("spawn").Process(
        target=serve, args=(pods, every, child), daemon=True
    )
    server.start()
    url, token, unhealthy = parent.recv()
    try:
        kubeconfig = write_kubeconfig(workdir / "kubeconfig", url=url, token=token)
        print(
            f"\n== {pods} pods in namespace load, {unhealthy} of them in CrashLoopBackOff (+ the demo namespaces)"
        )
        for label, scope in (("namespace load", "load"), ("all namespaces", "--all")):
            seconds = Ratios(f"[{label}] listing time", "s")
            peak = Ratios(f"[{label}] peak memory (VmHWM)", "MB")
            text, truth = "", 0
            for repeat in range(repeats):
                order = ["bot", "floor"] if repeat % 2 == 0 else ["floor", "bot"]
                got = {name: side(name, kubeconfig, scope, workdir) for name in order}
                seconds.add(got["bot"][0], got["floor"][0])
                peak.add(got["bot"][1], got["floor"][1])
                text, truth = got["bot"][2]["text"], int(got["floor"][2]["unhealthy"])
            print("  " + seconds.line())
            print("  " + peak.line(fmt="{:.0f}"))
            result_tokens = count(text)
            stated = bool(re.search(rf"\b{truth}\b", text))
            named = sum(
                1 for i in range(pods) if every and i % every == every - 1 and f"load-{i:05d}" in text
            )
            print(
                f"  result text: {result_tokens} tokens (target <= 2,000: {'ok' if result_tokens <= 2000 else 'OVER'});"
                f" unhealthy pods per the official client: {truth}, that total stated in the text: "
                f"{'yes' if stated else 'NO'}; CrashLoopBackOff pods of `load` named: {named} of {unhealthy}"
            )
            for line in text.splitlines()[:4]:
                print(f"    {line[:150]}")
        raw_tokens, raw_bytes = raw_json_tokens(url, token, count)
        print(f"  raw API JSON of the namespace load list: {raw_bytes / 1e6:.1f} MB, {raw_tokens:,} tokens")
    finally:
        parent.send("stop")
        server.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pods", default="1000,10000", help="comma-separated pod counts (e.g. 1000,10000,50000)"
    )
    parser.add_argument("--unhealthy-every", type=int, default=25)
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    count, how = token_counter()
    print(f"k8s_get of many pods vs bare official-client paging, each in a fresh process; tokens: {how}")
    with tempfile.TemporaryDirectory() as tmp:
        for pods in (int(n) for n in options.pods.split(",")):
            one_size(pods, options.unhealthy_every, options.repeats, count, Path(tmp))


if __name__ == "__main__":
    main()
