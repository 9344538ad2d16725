"""Table rows and health verdicts for each allow-listed kind.

Pure functions over API-shaped dicts: kubectl-like columns, age, pod status,
restart counts, and `unhealthy()` saying why an item needs attention. Secrets
render as type, key names and sizes; their values are never read here.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

Obj = Mapping[str, Any]


def _m(obj: Obj, *keys: str) -> Any:
    value: Any = obj
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def parse_time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def age_seconds(obj: Obj, *, now: dt.datetime | None = None) -> float:
    created = parse_time(_m(obj, "metadata", "creationTimestamp"))
    if created is None:
        return 0.0
    return ((now or dt.datetime.now(dt.UTC)) - created).total_seconds()


def human_age(seconds: float) -> str:
    s = int(max(seconds, 0))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if s >= size:
            return f"{s // size}{unit}"
    return f"{s}s"


def restarts(pod: Obj) -> int:
    return sum(int(c.get("restartCount") or 0) for c in _m(pod, "status", "containerStatuses") or [])


def pod_status(pod: Obj) -> str:
    if _m(pod, "metadata", "deletionTimestamp"):
        return "Terminating"
    for status in [
        *(_m(pod, "status", "initContainerStatuses") or []),
        *(_m(pod, "status", "containerStatuses") or []),
    ]:
        waiting = _m(status, "state", "waiting", "reason")
        if waiting and waiting != "PodInitializing":
            return str(waiting)
        terminated = _m(status, "state", "terminated", "reason")
        if terminated and terminated != "Completed":
            return str(terminated)
    return str(_m(pod, "status", "reason") or _m(pod, "status", "phase") or "Unknown")


def _ready(pod: Obj) -> str:
    statuses = _m(pod, "status", "containerStatuses") or []
    total = len(_m(pod, "spec", "containers") or []) or len(statuses)
    return f"{sum(1 for c in statuses if c.get('ready'))}/{total}"


def node_ready(node: Obj) -> tuple[bool, str]:
    for condition in _m(node, "status", "conditions") or []:
        if condition.get("type") == "Ready":
            ok = condition.get("status") == "True"
            return ok, "" if ok else str(condition.get("reason") or condition.get("message") or "NotReady")
    return False, "no Ready condition"


def _node_status(node: Obj) -> str:
    ok, _ = node_ready(node)
    status = "Ready" if ok else "NotReady"
    return status + (",SchedulingDisabled" if _m(node, "spec", "unschedulable") else "")


def _ports(svc: Obj) -> str:
    ports = _m(svc, "spec", "ports") or []
    shown = []
    for p in ports:
        node_port = f":{p['nodePort']}" if p.get("nodePort") else ""
        shown.append(f"{p.get('port')}{node_port}/{p.get('protocol', 'TCP')}")
    return ",".join(shown) or "<none>"


def _decoded_size(value: Any) -> int:
    try:
        return len(base64.b64decode(str(value), validate=False))
    except ValueError:
        return len(str(value))


def secret_keys(secret: Obj) -> list[str]:
    """`key (N bytes)` for every key; the values themselves are never returned."""
    data = _m(secret, "data") or {}
    return [f"{key} ({_decoded_size(value)} bytes)" for key, value in sorted(data.items())]


def _images(obj: Obj) -> str:
    containers = _m(obj, "spec", "template", "spec", "containers") or []
    return ",".join(str(c.get("image")) for c in containers)


def _event_object(ev: Obj) -> str:
    inv = ev.get("involvedObject") or {}
    return f"{str(inv.get('kind', '')).lower()}/{inv.get('name', '')}"


def event_time(ev: Obj) -> dt.datetime | None:
    for key in ("lastTimestamp", "eventTime", "firstTimestamp"):
        found = parse_time(ev.get(key))
        if found:
            return found
    return parse_time(_m(ev, "metadata", "creationTimestamp"))


def _since(when: dt.datetime | None) -> str:
    return human_age((dt.datetime.now(dt.UTC) - when).total_seconds()) if when else "?"


def _name(o: Obj) -> str:
    return str(_m(o, "metadata", "name"))


def _age(o: Obj) -> str:
    return human_age(age_seconds(o))


Row = Callable[[Obj], tuple[str, ...]]
COLUMNS: dict[str, tuple[tuple[str, ...], Row]] = {
    "pod": (
        ("NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE"),
        lambda o: (
            _name(o),
            _ready(o),
            pod_status(o),
            str(restarts(o)),
            _age(o),
            str(_m(o, "spec", "nodeName") or "<none>"),
        ),
    ),
    "deployment": (
        ("NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "IMAGES"),
        lambda o: (
            _name(o),
            f"{_m(o, 'status', 'readyReplicas') or 0}/{_m(o, 'spec', 'replicas') or 0}",
            str(_m(o, "status", "updatedReplicas") or 0),
            str(_m(o, "status", "availableReplicas") or 0),
            _age(o),
            _images(o),
        ),
    ),
    "replicaset": (
        ("NAME", "DESIRED", "CURRENT", "READY", "AGE"),
        lambda o: (
            _name(o),
            str(_m(o, "spec", "replicas") or 0),
            str(_m(o, "status", "replicas") or 0),
            str(_m(o, "status", "readyReplicas") or 0),
            _age(o),
        ),
    ),
    "statefulset": (
        ("NAME", "READY", "AGE"),
        lambda o: (
            _name(o),
            f"{_m(o, 'status', 'readyReplicas') or 0}/{_m(o, 'spec', 'replicas') or 0}",
            _age(o),
        ),
    ),
    "daemonset": (
        ("NAME", "DESIRED", "CURRENT", "READY", "AGE"),
        lambda o: (
            _name(o),
            str(_m(o, "status", "desiredNumberScheduled") or 0),
            str(_m(o, "status", "currentNumberScheduled") or 0),
            str(_m(o, "status", "numberReady") or 0),
            _age(o),
        ),
    ),
    "job": (
        ("NAME", "COMPLETIONS", "FAILED", "AGE"),
        lambda o: (
            _name(o),
            f"{_m(o, 'status', 'succeeded') or 0}/{_m(o, 'spec', 'completions') or 1}",
            str(_m(o, "status", "failed") or 0),
            _age(o),
        ),
    ),
    "cronjob": (
        ("NAME", "SCHEDULE", "SUSPEND", "ACTIVE", "LAST-SCHEDULE", "AGE"),
        lambda o: (
            _name(o),
            str(_m(o, "spec", "schedule")),
            str(bool(_m(o, "spec", "suspend"))),
            str(len(_m(o, "status", "active") or [])),
            _since(parse_time(_m(o, "status", "lastScheduleTime"))),
            _age(o),
        ),
    ),
    "service": (
        ("NAME", "TYPE", "CLUSTER-IP", "PORTS", "AGE"),
        lambda o: (
            _name(o),
            str(_m(o, "spec", "type") or "ClusterIP"),
            str(_m(o, "spec", "clusterIP") or "<none>"),
            _ports(o),
            _age(o),
        ),
    ),
    "ingress": (
        ("NAME", "HOSTS", "ADDRESS", "AGE"),
        lambda o: (
            _name(o),
            ",".join(str(r.get("host", "*")) for r in _m(o, "spec", "rules") or []) or "*",
            ",".join(
                str(i.get("ip") or i.get("hostname"))
                for i in _m(o, "status", "loadBalancer", "ingress") or []
            ),
            _age(o),
        ),
    ),
    "node": (
        ("NAME", "STATUS", "ROLES", "AGE", "VERSION"),
        lambda o: (
            _name(o),
            _node_status(o),
            ",".join(
                k.split("/", 1)[1]
                for k in (_m(o, "metadata", "labels") or {})
                if k.startswith("node-role.kubernetes.io/")
            )
            or "<none>",
            _age(o),
            str(_m(o, "status", "nodeInfo", "kubeletVersion") or "?"),
        ),
    ),
    "namespace": (("NAME", "STATUS", "AGE"), lambda o: (_name(o), str(_m(o, "status", "phase")), _age(o))),
    "event": (
        ("LAST-SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"),
        lambda o: (
            _since(event_time(o)),
            str(o.get("type")),
            str(o.get("reason")),
            _event_object(o),
            str(o.get("message") or "")[:160],
        ),
    ),
    "configmap": (
        ("NAME", "KEYS", "AGE"),
        lambda o: (
            _name(o),
            ",".join(sorted({**(o.get("data") or {}), **(o.get("binaryData") or {})})) or "<none>",
            _age(o),
        ),
    ),
    "persistentvolumeclaim": (
        ("NAME", "STATUS", "VOLUME", "CAPACITY", "AGE"),
        lambda o: (
            _name(o),
            str(_m(o, "status", "phase")),
            str(_m(o, "spec", "volumeName") or ""),
            str(_m(o, "status", "capacity", "storage") or ""),
            _age(o),
        ),
    ),
    "secret": (
        ("NAME", "TYPE", "KEYS", "AGE"),
        lambda o: (_name(o), str(o.get("type")), ", ".join(secret_keys(o)) or "<none>", _age(o)),
    ),
}


def status_of(kind: str, obj: Obj) -> str:
    """A short status word used to count items in a summary."""
    if kind == "pod":
        return pod_status(obj)
    if kind == "node":
        return _node_status(obj)
    if kind == "event":
        return str(obj.get("type") or "Normal")
    if kind in ("namespace", "persistentvolumeclaim"):
        return str(_m(obj, "status", "phase") or "Unknown")
    reason = unhealthy(kind, obj)
    return "Unhealthy" if reason else "OK"


def unhealthy(kind: str, obj: Obj) -> str | None:
    """Why this item needs attention, or None when it looks fine."""
    if kind == "pod":
        status = pod_status(obj)
        if status in ("Running", "Succeeded", "Completed"):
            statuses = _m(obj, "status", "containerStatuses") or []
            if status == "Running" and any(not c.get("ready") for c in statuses):
                return "Running but not ready"
            return None
        return status
    if kind in ("deployment", "statefulset"):
        want, ready = _m(obj, "spec", "replicas") or 0, _m(obj, "status", "readyReplicas") or 0
        return f"{ready}/{want} ready" if ready < want else None
    if kind == "daemonset":
        want, ready = _m(obj, "status", "desiredNumberScheduled") or 0, _m(obj, "status", "numberReady") or 0
        return f"{ready}/{want} ready" if ready < want else None
    if kind == "node":
        ok, reason = node_ready(obj)
        return None if ok else reason or "NotReady"
    if kind == "job":
        return f"{_m(obj, 'status', 'failed')} failed" if _m(obj, "status", "failed") else None
    if kind == "persistentvolumeclaim":
        phase = _m(obj, "status", "phase")
        return None if phase == "Bound" else str(phase or "Unknown")
    if kind == "event":
        return str(obj.get("reason")) if obj.get("type") == "Warning" else None
    return None
