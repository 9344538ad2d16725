"""The diagnosis of what is not a single pod: a workload (deployment, statefulset) and a node.

A workload: its unmet conditions, a paused rollout, how many of its pods are
unhealthy and the pod findings of the first few (`diagnose_pod`). A node:
Ready or not and why, pressure conditions, cordoned, and the taints that keep
pods away. Deterministic, no LLM; reads only. The operation itself and the
pod findings are in `diagnose.py`.
"""

from __future__ import annotations

from typing import Any

from tools.kubernetes.common import Scope
from tools.kubernetes.kinds import kind_for
from tools.kubernetes.render import node_ready, unhealthy

PRESSURE = ("MemoryPressure", "DiskPressure", "PIDPressure", "NetworkUnavailable")
PODS_LOOKED_AT = 3
CORDON_TAINT = "node.kubernetes.io/unschedulable"


async def diagnose_workload(
    scope: Scope, kind: str, name: str, obj: dict[str, Any]
) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """(summary lines, findings, the first few unhealthy pods to diagnose) of a deployment or
    statefulset."""
    verdict = unhealthy(kind, obj) or "all replicas ready"
    lines = [f"{kind}/{name}: {verdict}"]
    findings = [
        f"condition {c.get('type')}={c.get('status')}: {c.get('message', '')}"
        for c in (obj.get("status") or {}).get("conditions") or []
        if c.get("status") != "True"
    ]
    if (obj.get("spec") or {}).get("paused"):
        findings.append("the rollout is paused; resume it to continue")
    labels = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    selector = ",".join(f"{k}={v}" for k, v in labels.items())
    page = await scope.client.list_page(kind_for("pod"), scope.namespace, label_selector=selector, limit=200)
    pods = page.get("items") or []
    bad = [p for p in pods if unhealthy("pod", p)]
    lines.append(f"{len(pods)} pod(s), {len(bad)} unhealthy")
    return lines, findings, bad[:PODS_LOOKED_AT]


def diagnose_node(name: str, node: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(summary lines, findings) of a node: readiness, pressure, cordon, taints."""
    ready, reason = node_ready(node)
    status = node.get("status") or {}
    spec = node.get("spec") or {}
    lines = [f"node/{name}: {'Ready' if ready else 'NotReady'}"]
    findings = []
    if not ready:
        message = next(
            (str(c.get("message") or "") for c in status.get("conditions") or [] if c.get("type") == "Ready"),
            "",
        )
        findings.append(
            f"node is not ready ({reason}{': ' + message if message else ''}); "
            "its pods are evicted after the toleration period; check the kubelet and the machine"
        )
    for condition in status.get("conditions") or []:
        if condition.get("type") in PRESSURE and condition.get("status") == "True":
            why = condition.get("message") or condition.get("reason") or ""
            findings.append(f"{condition.get('type')}: {why}".strip().rstrip(":"))
    if spec.get("unschedulable"):
        findings.append(f"cordoned (SchedulingDisabled): no new pods land here; !uncordon {name} when done")
    taints = [
        t
        for t in spec.get("taints") or []
        if t.get("effect") in ("NoSchedule", "NoExecute") and t.get("key") != CORDON_TAINT
    ]
    for taint in taints[:5]:
        value = f"={taint.get('value')}" if taint.get("value") else ""
        findings.append(
            f"taint {taint.get('key')}{value}:{taint.get('effect')} keeps pods without a toleration away"
        )
    return lines, findings
