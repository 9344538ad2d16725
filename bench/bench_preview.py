"""Preview time and card size: a 30-document apply and a Helm upgrade of a chart rendering 50 objects.

Run: `python bench/bench_preview.py [--rounds 20]`.
The apply goes through the real `k8s_apply` preview (current object, server-side dry run
per document, effect diff) against the fake Kubernetes API in a child process; half the
documents change an existing ConfigMap, half create one. The upgrade goes through the
`helm_upgrade` preview against a fake helm executable that answers `status` and the
server dry run with releases of 50 objects (a Deployment, a Service and 48 ConfigMaps,
a third of them changed by the values, two removed, two added). For each it prints the
p50 and p90 of the preview, the share of it spent outside the dry run (the diff and the
card, measured separately on the same effects), and the card's characters (preview text
plus the risk header the gate adds). A measurement, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import multiprocessing.connection
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.gate.effect_gate import judge
from tests.fake_k8s import FakeKubernetes, seed_demo
from tests.fake_k8s.plugin import write_kubeconfig
from tests.fakes.bin.fakecli import install_fake
from tools.base import RunContext, Safety
from tools.effects import describe_effects
from tools.helm import HelmSettings, helm_operations
from tools.kubernetes import ClusterConfig, ClusterSet, kubernetes_operations

DOCS = 30
HELM_OBJECTS = 50


def serve(conn: multiprocessing.connection.Connection) -> None:
    async def main() -> None:
        fake = FakeKubernetes()
        seed_demo(fake)
        for i in range(DOCS // 2):  # the objects half the apply changes
            fake.add(
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": {"name": f"settings-{i:02d}", "namespace": "prod"},
                    "data": {"MODE": "blue", "LEVEL": str(i)},
                }
            )
        await fake.start()
        conn.send((fake.url, fake.token))
        await asyncio.to_thread(conn.recv)
        await fake.stop()

    asyncio.run(main())


def apply_manifest() -> str:
    docs = []
    for i in range(DOCS):
        data = f"{{MODE: green, LEVEL: '{i}', OWNER: team-{i % 3}}}"
        docs.append(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: settings-{i:02d}}}\ndata: {data}\n")
    return "---\n".join(docs)


def release_manifest(*, tag: str, changed: int, removed: int, added: int) -> str:
    docs = [
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\nspec:\n  replicas: 3\n  template:\n"
        f"    spec:\n      containers:\n      - name: shop\n        image: shop:{tag}\n",
        "apiVersion: v1\nkind: Service\nmetadata: {name: shop}\nspec: {ports: [{port: 80}]}\n",
    ]
    names = [f"part-{i:02d}" for i in range(removed, HELM_OBJECTS - 2)] + [f"new-{i}" for i in range(added)]
    for index, name in enumerate(names):
        value = "v2" if index < changed else "v1"
        docs.append(
            f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: {name}}}\ndata: {{value: {value}}}\n"
        )
    return "---\n".join(docs)


def release(version: int, manifest: str) -> dict[str, object]:
    return {
        "name": "shop",
        "namespace": "prod",
        "version": version,
        "info": {"status": "deployed", "description": "Upgrade complete"},
        "chart": {"metadata": {"name": "shop", "version": f"1.{version}.0"}},
        "config": {"image": {"tag": "2.0" if version > 3 else "1.0"}},
        "manifest": manifest,
    }


def figures(name: str, times: list[float], overhead: list[float], chars: int) -> None:
    p50, p90 = statistics.median(times), sorted(times)[int(len(times) * 0.9) - 1]
    print(
        f"{name}: preview p50 {p50 * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms; "
        f"diff + card p50 {statistics.median(overhead) * 1000:.1f} ms; card {chars:,} characters"
    )


async def bench_apply(kubeconfig: Path, rounds: int) -> None:
    clusters = ClusterSet([ClusterConfig(name="fake", kubeconfig=kubeconfig, context="fake")])
    operation = next(op for op in kubernetes_operations(clusters=clusters) if op.name == "k8s_apply")
    assert operation.preview is not None
    args = operation.parse_args({"namespace": "prod", "manifest": apply_manifest()})
    times, overhead, chars = [], [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        preview = await operation.preview(args, RunContext(request_id="bench"))
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        card = judge(Safety.WRITE, preview.effects).card_header() + describe_effects(preview.effects)
        overhead.append(time.perf_counter() - started)
        chars = len(judge(Safety.WRITE, preview.effects).card_header() + preview.text)
        assert preview.ok and card, preview.text
    figures(f"k8s_apply of {DOCS} documents", times, overhead, chars)


async def bench_helm(rounds: int) -> None:
    home = Path(tempfile.mkdtemp())
    kubeconfig = home / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\ncontexts: []\nclusters: []\nusers: []\n")
    fake = install_fake(home / "bin", "helm")
    flags = ["--namespace=prod", "--kube-context=prod-admin"]
    before = release(3, release_manifest(tag="1.0", changed=0, removed=0, added=0))
    after = release(4, release_manifest(tag="2.0", changed=16, removed=2, added=2))
    fake.expect(["status", "shop", "--output=json", *flags], stdout=json.dumps(before))
    upgrade = ["upgrade", "shop", "acme/shop", "--set=image.tag=2.0", "--dry-run=server", "--output=json"]
    fake.expect([*upgrade, *flags], stdout=json.dumps(after))
    clusters = ClusterSet([ClusterConfig(name="prod", kubeconfig=kubeconfig, context="prod-admin")])
    settings = HelmSettings(
        binary=str(fake.path), repositories={"acme": "https://charts.acme.io"}, chart_dir=home, home=home
    )
    operation = next(
        op for op in helm_operations(settings=settings, clusters=clusters) if op.name == "helm_upgrade"
    )
    assert operation.preview is not None
    args = operation.parse_args(
        {"name": "shop", "chart": "acme/shop", "namespace": "prod", "set": {"image.tag": "2.0"}}
    )
    times, overhead, chars = [], [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        preview = await operation.preview(args, RunContext(request_id="bench"))
        times.append(time.perf_counter() - started)
        started = time.perf_counter()
        judge(Safety.WRITE, preview.effects).card_header() + describe_effects(preview.effects)
        overhead.append(time.perf_counter() - started)
        chars = len(judge(Safety.WRITE, preview.effects).card_header() + preview.text)
        assert preview.ok, preview.text
    figures(f"helm_upgrade rendering {HELM_OBJECTS} objects (fake helm)", times, overhead, chars)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    options = parser.parse_args()
    parent, child = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(child,), daemon=True)
    server.start()
    url, token = parent.recv()
    try:
        kubeconfig = write_kubeconfig(Path(tempfile.mkdtemp()) / "kubeconfig", url=url, token=token)
        asyncio.run(bench_apply(kubeconfig, options.rounds))
        asyncio.run(bench_helm(options.rounds))
    finally:
        parent.send("stop")
        server.join(timeout=10)


if __name__ == "__main__":
    main()
