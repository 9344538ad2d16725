"""One side of the listing bench, alone in a fresh process (run through bench/peak_launcher.py).

    python bench/k8s_listing_child.py bot|floor KUBECONFIG NAMESPACE|--all OUT_FILE

* bot: the `k8s_get` operation (the bot's typed client, paging, summary to a
  fixed budget) lists the pods; writes `{"seconds": …, "text": …}`.
* floor: bare paging with the official client (`list_namespaced_pod` /
  `list_pod_for_all_namespaces`, 500 per page, raw JSON with
  `_preload_content=False`: its model classes would cost several times more),
  counting unhealthy pods; writes `{"seconds": …, "pods": …}`.
`seconds` is the listing alone (imports and kubeconfig loading are not in it).
No tracemalloc: it would slow the listing several times over.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def run_bot(kubeconfig: Path, namespace: str | None) -> dict[str, object]:
    from tools.base import RunContext
    from tools.kubernetes import ClusterConfig, ClusterSet, kubernetes_operations

    clusters = ClusterSet([ClusterConfig(name="fake", kubeconfig=kubeconfig, context="fake")])
    operation = next(op for op in kubernetes_operations(clusters=clusters) if op.name == "k8s_get")
    args: dict[str, object] = {
        "kind": "pods",
        **({"namespace": namespace} if namespace else {"all_namespaces": True}),
    }

    async def listing() -> tuple[str, float]:
        started = time.perf_counter()
        result = await operation.run(operation.parse_args(args), RunContext(request_id="bench"))
        return result.text, time.perf_counter() - started

    text, seconds = asyncio.run(listing())
    return {"seconds": seconds, "text": text}


def run_floor(kubeconfig: Path, namespace: str | None) -> dict[str, object]:
    from kubernetes import client, config

    config.load_kube_config(config_file=str(kubeconfig), context="fake")
    core = client.CoreV1Api()
    started = time.perf_counter()
    pods = unhealthy = 0
    token: str | None = None
    while True:
        # Raw JSON per page (no model objects): the cheapest way to page with the official client.
        kw: dict[str, object] = {
            "limit": 500,
            "_preload_content": False,
            **({"_continue": token} if token else {}),
        }
        response = (
            core.list_namespaced_pod(namespace, **kw) if namespace else core.list_pod_for_all_namespaces(**kw)
        )
        page = json.loads(response.data)
        for pod in page["items"]:
            pods += 1
            status = pod.get("status", {})
            ready = all(s.get("ready") for s in status.get("containerStatuses", []))
            unhealthy += status.get("phase") not in ("Running", "Succeeded") or not ready
        token = page["metadata"].get("continue")
        if not token:
            break
    return {"seconds": time.perf_counter() - started, "pods": pods, "unhealthy": unhealthy}


if __name__ == "__main__":
    side, kubeconfig, scope, out = sys.argv[1], Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4])
    namespace = None if scope == "--all" else scope
    result = run_bot(kubeconfig, namespace) if side == "bot" else run_floor(kubeconfig, namespace)
    out.write_text(json.dumps(result))
