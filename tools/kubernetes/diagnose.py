"""READ operation `k8s_diagnose`: a deterministic diagnosis of a pod, a workload or a node.

Reads conditions, container states, events, references and the last log
lines, and turns known patterns into findings with a next step:
CrashLoopBackOff, ImagePullBackOff, OOMKilled, Pending/unschedulable, failing
probes, missing ConfigMap/Secret references. A deployment or statefulset is
diagnosed through its unhealthy pods, a node by its conditions
(`diagnose_more.py`). Works without an LLM. Never returns Secret values: a
Secret is only checked for existence.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from tools.base import CommandSpec, NamespacedArgs, Operation, OperationResult, RunContext, Safety, Status
from tools.kubernetes.common import Kube, Scope, guard, meta
from tools.kubernetes.diagnose_more import diagnose_node, diagnose_workload
from tools.kubernetes.errors import KubeError, NotFound
from tools.kubernetes.kinds import kind_for, normalise_kind
from tools.kubernetes.read import event_lines, events_for
from tools.kubernetes.render import pod_status

_PULL = ("ImagePullBackOff", "ErrImagePull", "InvalidImageName")


class DiagnoseArgs(NamespacedArgs):
    kind: Literal["pod", "deployment", "statefulset", "node"] = Field(
        default="pod", description="pod, deployment, statefulset or node"
    )
    name: str = Field(max_length=253, description="object name")

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: object) -> object:
        return normalise_kind(value)


def _refs(pod: dict[str, Any]) -> set[tuple[str, str]]:
    """(kind, name) of every ConfigMap/Secret the pod needs (optional ones skipped)."""
    spec = pod.get("spec") or {}
    found: set[tuple[str, str]] = set()
    for c in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        for env in c.get("env") or []:
            source = env.get("valueFrom") or {}
            for key, kind in (("configMapKeyRef", "configmap"), ("secretKeyRef", "secret")):
                ref = source.get(key)
                if ref and not ref.get("optional"):
                    found.add((kind, str(ref.get("name"))))
        for env_from in c.get("envFrom") or []:
            for key, kind in (("configMapRef", "configmap"), ("secretRef", "secret")):
                ref = env_from.get(key)
                if ref and not ref.get("optional"):
                    found.add((kind, str(ref.get("name"))))
    for volume in spec.get("volumes") or []:
        if (cm := volume.get("configMap")) and not cm.get("optional"):
            found.add(("configmap", str(cm.get("name"))))
        if (secret := volume.get("secret")) and not secret.get("optional"):
            found.add(("secret", str(secret.get("secretName"))))
    return found


def _state_findings(pod: dict[str, Any]) -> list[str]:
    findings = []
    status = pod.get("status") or {}
    pod_name = (pod.get("metadata") or {}).get("name")
    for cond in status.get("conditions") or []:
        if cond.get("type") == "PodScheduled" and cond.get("status") == "False":
            findings.append(
                f"Pending: not scheduled ({cond.get('reason')}: {cond.get('message', '')}); "
                "check resource requests, node selectors, taints and node capacity"
            )
    for cs in [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]:
        name = cs.get("name")
        waiting = (cs.get("state") or {}).get("waiting") or {}
        last = (cs.get("lastState") or {}).get("terminated") or {}
        reason = waiting.get("reason")
        if reason == "CrashLoopBackOff":
            exit_info = (
                f"last exit code {last.get('exitCode')} ({last.get('reason')})"
                if last
                else "no exit recorded"
            )
            findings.append(
                f"container {name} is in CrashLoopBackOff after {cs.get('restartCount', 0)} restarts, "
                f"{exit_info}; read its previous logs: !logs {pod_name} -c {name} --previous"
            )
        elif reason in _PULL:
            findings.append(
                f"container {name} cannot pull image {cs.get('image')} ({reason}: "
                f"{waiting.get('message', '')}); check the image name, tag and registry credentials"
            )
        elif reason in ("CreateContainerConfigError", "CreateContainerError"):
            findings.append(f"container {name} cannot start ({reason}: {waiting.get('message', '')})")
        if (
            last.get("reason") == "OOMKilled"
            or ((cs.get("state") or {}).get("terminated") or {}).get("reason") == "OOMKilled"
        ):
            findings.append(
                f"container {name} was OOMKilled (out of memory); raise its memory limit or find the leak"
            )
        if (cs.get("state") or {}).get("running") and not cs.get("ready"):
            findings.append(f"container {name} is running but not ready; its readiness probe is failing")
    return findings


def _event_findings(events: list[dict[str, Any]]) -> list[str]:
    findings = []
    for ev in events:
        reason, message = str(ev.get("reason")), str(ev.get("message") or "")
        if reason == "Unhealthy" and "probe failed" in message.lower():
            findings.append(f"probe failing: {message[:200]}; check the probe's path, port and timing")
        elif reason == "FailedScheduling":
            findings.append(f"scheduler: {message[:200]}")
        elif reason == "FailedMount":
            findings.append(f"volume mount failed: {message[:200]}")
    return list(dict.fromkeys(findings))


async def _missing_refs(scope: Scope, pod: dict[str, Any]) -> list[str]:
    missing = []
    for kind_name, name in sorted(_refs(pod)):
        try:
            await scope.client.get(kind_for(kind_name), name, scope.namespace)
        except NotFound:
            missing.append(
                f"{kind_name} {name} is referenced by the pod but does not exist in "
                f"{scope.namespace}; create it or fix the reference"
            )
        except KubeError:
            continue
    return missing


async def diagnose_pod(scope: Scope, pod: dict[str, Any], *, log_lines: int = 15) -> tuple[list[str], str]:
    name = str(meta(pod).get("name"))
    events = await events_for(scope, kind="Pod", name=name)
    findings = _state_findings(pod) + _event_findings(events) + await _missing_refs(scope, pod)
    logs = ""
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    crashed = next((c for c in statuses if (c.get("lastState") or {}).get("terminated")), None)
    target = crashed or (statuses[0] if statuses else None)
    if target is not None and ((target.get("state") or {}).get("running") or crashed):
        try:
            logs = await scope.client.pod_log(
                name,
                str(scope.namespace),
                container=str(target.get("name")),
                tail=log_lines,
                since_seconds=None,
                previous=crashed is not None,
                limit_bytes=64 * 1024,
            )
        except KubeError:
            logs = ""
    if events:
        findings.append("recent events: " + " | ".join(event_lines(events[:5])))
    return list(dict.fromkeys(findings)), logs


def diagnose_operations(kube: Kube) -> list[Operation]:
    @guard
    async def diagnose(args: DiagnoseArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        kind = kind_for(args.kind)
        obj = await kube.attempt(
            scope,
            scope.action("get", kind, args.name),
            kind,
            scope.client.get(kind, args.name, scope.namespace),
        )
        lines = [scope.header]
        code = None
        if args.kind == "pod":
            findings, logs = await diagnose_pod(scope, obj)
            lines.append(f"pod/{args.name}: {pod_status(obj)}")
            code = logs or None
        elif args.kind == "node":
            node_lines, findings = diagnose_node(args.name, obj)
            lines = [f"{scope.cluster} / cluster-wide", *node_lines]
        else:
            more, findings, bad = await diagnose_workload(scope, args.kind, args.name, obj)
            lines += more
            for pod in bad:
                pod_findings, logs = await diagnose_pod(scope, pod, log_lines=8)
                findings += [f"pod {meta(pod).get('name')}: {f}" for f in pod_findings]
                code = code or logs or None
        if findings:
            lines.append(f"{len(findings)} finding(s):")
            lines += [f"- {f}" for f in findings]
        else:
            lines.append("no problem found")
        if code:
            lines.append("last log lines:")
        return OperationResult(
            status=Status.OK, text="\n".join(lines), code=code, data={"findings": len(findings)}
        )

    return [
        Operation(
            name="k8s_diagnose",
            description="Diagnose why a pod, deployment, statefulset or node is unhealthy.",
            safety=Safety.READ,
            args_model=DiagnoseArgs,
            run=diagnose,
            command=CommandSpec(
                words=("diagnose",), positionals=("kind", "name"), aliases={"-n": "namespace"}
            ),
        ),
    ]
