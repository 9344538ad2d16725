"""Realistic pod `status` blocks for the states the diagnosis must recognise.

`pod_status(spec, mode=...)` returns what the kubelet would report for a pod
in one of the modes below, with every field the strict client models require
(imageID, containerID, restartCount, ready, started, state, lastState).
Pure functions; no store access.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any, Literal

PodMode = Literal[
    "running", "unready", "pending", "crashloop", "imagepull", "oomkilled", "configerror", "succeeded"
]


def ago(seconds: int) -> str:
    moment = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _condition(
    kind: str, ok: bool, *, reason: str | None = None, message: str | None = None
) -> dict[str, Any]:
    cond: dict[str, Any] = {
        "type": kind,
        "status": "True" if ok else "False",
        "lastProbeTime": None,
        "lastTransitionTime": ago(600),
    }
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def _container_status(
    container: dict[str, Any], *, mode: PodMode, restarts: int, missing_config: str
) -> dict[str, Any]:
    name, image = str(container["name"]), str(container["image"])
    status: dict[str, Any] = {
        "name": name,
        "image": image,
        "imageID": f"docker.io/library/{image.split(':')[0]}@sha256:{_digest(image)}",
        "containerID": f"containerd://{_digest(name + image)}",
        "ready": mode == "running",
        "restartCount": restarts,
        "started": mode in ("running", "unready"),
        "lastState": {},
        "state": {"running": {"startedAt": ago(3600)}},
    }
    if mode == "crashloop":
        message = f"back-off 5m0s restarting failed container={name} pod=POD"
        status["state"] = {"waiting": {"reason": "CrashLoopBackOff", "message": message}}
        status["lastState"] = {
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": ago(130),
                "finishedAt": ago(125),
                "containerID": status["containerID"],
            }
        }
    elif mode == "oomkilled":
        status["state"] = {"running": {"startedAt": ago(40)}}
        status["ready"], status["started"] = True, True
        status["lastState"] = {
            "terminated": {
                "exitCode": 137,
                "reason": "OOMKilled",
                "startedAt": ago(400),
                "finishedAt": ago(45),
                "containerID": status["containerID"],
            }
        }
    elif mode == "imagepull":
        message = (
            f'Back-off pulling image "{image}": ErrImagePull: failed to pull and unpack image '
            f'"{image}": not found'
        )
        status["state"] = {"waiting": {"reason": "ImagePullBackOff", "message": message}}
        status["imageID"] = ""
        status.pop("containerID")
    elif mode == "configerror":
        status["state"] = {
            "waiting": {
                "reason": "CreateContainerConfigError",
                "message": f'configmap "{missing_config}" not found',
            }
        }
        status["imageID"] = ""
        status.pop("containerID")
    elif mode == "succeeded":
        status["state"] = {
            "terminated": {
                "exitCode": 0,
                "reason": "Completed",
                "startedAt": ago(3000),
                "finishedAt": ago(2950),
                "containerID": status["containerID"],
            }
        }
        status["ready"], status["started"] = False, False
    return status


def pod_status(
    spec: dict[str, Any],
    *,
    mode: PodMode = "running",
    restarts: int = 0,
    pod_ip: str = "10.244.1.10",
    host_ip: str = "192.168.49.2",
    missing_config: str = "app-config",
    unschedulable_message: str = "",
) -> dict[str, Any]:
    if mode == "pending":
        message = unschedulable_message or (
            "0/2 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint "
            "{node.kubernetes.io/not-ready: }. preemption: 0/2 nodes are available."
        )
        return {
            "phase": "Pending",
            "conditions": [_condition("PodScheduled", False, reason="Unschedulable", message=message)],
            "qosClass": "Burstable",
        }
    ready = mode in ("running", "oomkilled")
    not_ready_reason = None if ready else "ContainersNotReady"
    statuses = [
        _container_status(c, mode=mode, restarts=restarts, missing_config=missing_config)
        for c in spec.get("containers") or []
    ]
    unready = [s["name"] for s in statuses if not s["ready"]]
    unready_message = f"containers with unready status: [{' '.join(unready)}]" if unready else None
    return {
        "phase": "Succeeded"
        if mode == "succeeded"
        else ("Pending" if mode in ("imagepull", "configerror") else "Running"),
        "conditions": [
            _condition("PodReadyToStartContainers", True),
            _condition("Initialized", True),
            _condition("Ready", ready, reason=not_ready_reason, message=unready_message),
            _condition("ContainersReady", ready, reason=not_ready_reason, message=unready_message),
            _condition("PodScheduled", True),
        ],
        "hostIP": host_ip,
        "hostIPs": [{"ip": host_ip}],
        "podIP": pod_ip,
        "podIPs": [{"ip": pod_ip}],
        "startTime": ago(3600),
        "containerStatuses": statuses,
        "qosClass": "Burstable",
    }
