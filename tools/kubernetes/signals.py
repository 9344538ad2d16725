"""What a watched object says is wrong: typed signals from Kubernetes objects (pure functions).

`classify(resource, event_type, obj, cluster=...)` turns one object of a
watch (an Event, a Pod, a Deployment, a Node, a Job) into `Signal`s, one per
(cluster, kind, namespace, name, reason): firing while the condition holds,
recovered once it no longer does (or the object is gone). Warning Events
never recover on their own: an Event expiring is not the problem ending.

A signal's `source` is the object that reports it (the Event's or the
object's uid) and `count` that source's own count (the Event's count, a
container's restarts, else 1); storage sums the counts of a key's sources,
so replaying an object (a reconnect, a relist, a new leader) adds nothing.
Messages are redacted and cut here. Nothing here does I/O or imports `bot`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any, Literal

from tools.redact import redact_text

MAX_MESSAGE = 500
EventType = Literal["ADDED", "MODIFIED", "DELETED"]

# The reasons each state-watched resource can report (all recover when the object goes).
POD_REASONS = ("CrashLoopBackOff", "ImagePullBackOff", "OOMKilled", "Unschedulable")
DEPLOYMENT_REASONS = ("ProgressDeadlineExceeded", "ReplicaFailure")
NODE_REASONS = ("NotReady", "MemoryPressure", "DiskPressure", "PIDPressure")
JOB_REASONS = ("Failed",)
KIND_OF = {"events": "Event", "pods": "Pod", "deployments": "Deployment", "nodes": "Node", "jobs": "Job"}
RESOURCES = tuple(KIND_OF)
# Common reasons of Warning Events (kubelet, scheduler, controllers); any other is still watched.
EVENT_REASONS = (
    "BackOff",
    "Evicted",
    "ExceededGracePeriod",
    "Failed",
    "FailedAttachVolume",
    "FailedCreate",
    "FailedCreatePodSandBox",
    "FailedDelete",
    "FailedGetScale",
    "FailedKillPod",
    "FailedMount",
    "FailedScheduling",
    "FailedSync",
    "NodeNotReady",
    "OOMKilling",
    "ProbeWarning",
    "Rebooted",
    "SystemOOM",
    "Unhealthy",
)
# The kinds a signal can be about: the state-watched ones and those Warning Events often name.
SIGNAL_KINDS = (
    "Pod",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "Node",
    "Service",
    "Ingress",
    "PersistentVolumeClaim",
    "HorizontalPodAutoscaler",
)
_IMAGE_PULL = {"ImagePullBackOff", "ErrImagePull"}


@dataclasses.dataclass(frozen=True, order=True)
class SignalKey:
    cluster: str
    kind: str
    namespace: str  # "" for cluster-scoped objects
    name: str
    reason: str

    def text(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.cluster}:{self.kind}/{where}{self.name}:{self.reason}"


@dataclasses.dataclass(frozen=True)
class Signal:
    key: SignalKey
    firing: bool
    resource: str  # the watch that saw it: events, pods, deployments, nodes, jobs
    source: str  # uid of the reporting object
    count: int
    message: str
    at: dt.datetime

    @property
    def state(self) -> str:
        return "firing" if self.firing else "recovered"


def known_reasons() -> tuple[str, ...]:
    """Every reason a signal is known to carry (state reasons, then common Warning Event reasons)."""
    state = (*POD_REASONS, *DEPLOYMENT_REASONS, *NODE_REASONS, *JOB_REASONS)
    return tuple(dict.fromkeys((*state, *EVENT_REASONS)))


def resources_for(kinds: tuple[str, ...]) -> tuple[str, ...]:
    """The watches that report signals about `kinds` (empty: every kind): Events always."""
    if not kinds:
        return RESOURCES
    return tuple(r for r, kind in KIND_OF.items() if r == "events" or kind in kinds)


def recovers_on_relist(resource: str) -> bool:
    """Whether a key missing from a fresh list has recovered (not so for Events, which expire)."""
    return resource != "events"


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def _message(text: object) -> str:
    return redact_text(" ".join(str(text or "").split()))[:MAX_MESSAGE]


def _time(value: object, default: dt.datetime) -> dt.datetime:
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return default
    return default


def classify(
    resource: str, event_type: EventType, obj: Mapping[str, Any], *, cluster: str, now: dt.datetime
) -> list[Signal]:
    """The signals one watched object carries now (empty when it says nothing)."""
    if resource == "events":
        return _event(obj, event_type, cluster=cluster, now=now)
    found = _STATE[resource](obj) if event_type != "DELETED" else {}
    meta = _meta(obj)
    base = SignalKey(cluster, KIND_OF[resource], str(meta.get("namespace") or ""), str(meta.get("name")), "")
    source = str(meta.get("uid") or base.text())
    return [
        Signal(
            key=dataclasses.replace(base, reason=reason),
            firing=reason in found,
            resource=resource,
            source=source,
            count=found[reason][0] if reason in found else 0,
            message=_message(found[reason][1]) if reason in found else "",
            at=now,
        )
        for reason in _REASONS[resource]
    ]


def _event(obj: Mapping[str, Any], event_type: EventType, *, cluster: str, now: dt.datetime) -> list[Signal]:
    if event_type == "DELETED" or obj.get("type") != "Warning":
        return []
    involved = obj.get("involvedObject") or obj.get("regarding") or {}
    meta = _meta(obj)
    series = obj.get("series") or {}
    count = max(int(series.get("count") or 0), int(obj.get("count") or 0), 1)
    seen = obj.get("lastTimestamp") or series.get("lastObservedTime") or obj.get("eventTime")
    key = SignalKey(
        cluster=cluster,
        kind=str(involved.get("kind") or "Object"),
        namespace=str(involved.get("namespace") or meta.get("namespace") or ""),
        name=str(involved.get("name") or meta.get("name")),
        reason=str(obj.get("reason") or "Warning")[:128],
    )
    source = str(meta.get("uid") or f"{meta.get('namespace')}/{meta.get('name')}")
    return [
        Signal(
            key=key,
            firing=True,
            resource="events",
            source=source,
            count=count,
            message=_message(obj.get("message") or obj.get("note")),
            at=_time(seen, now),
        )
    ]


Found = dict[str, tuple[int, str]]  # reason → (count, message)


def _pod(obj: Mapping[str, Any]) -> Found:
    status = obj.get("status") or {}
    found: Found = {}

    def note(reason: str, count: int, line: str) -> None:
        old_count, old_line = found.get(reason, (0, ""))
        found[reason] = (old_count + count, f"{old_line}; {line}" if old_line else line)

    for container in [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]:
        name = container.get("name", "?")
        restarts = int(container.get("restartCount") or 0)
        state = container.get("state") or {}
        waiting = state.get("waiting") or {}
        last = (container.get("lastState") or {}).get("terminated") or {}
        terminated = state.get("terminated") or {}
        if waiting.get("reason") == "CrashLoopBackOff":
            note(
                "CrashLoopBackOff",
                max(restarts, 1),
                f"{name}: {waiting.get('message') or 'back-off restarting'}",
            )
        if waiting.get("reason") in _IMAGE_PULL:
            note("ImagePullBackOff", 1, f"{name}: {waiting.get('message') or waiting.get('reason')}")
        oom = "OOMKilled" in (last.get("reason"), terminated.get("reason"))
        if oom and not container.get("ready"):
            note("OOMKilled", max(restarts, 1), f"{name}: killed for running out of memory")
    if status.get("phase") == "Pending":
        for condition in status.get("conditions") or []:
            if (condition.get("type"), condition.get("status"), condition.get("reason")) == (
                "PodScheduled",
                "False",
                "Unschedulable",
            ):
                note("Unschedulable", 1, str(condition.get("message") or "no node fits the pod"))
    return found


def _conditions(obj: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(c.get("type")): c for c in (obj.get("status") or {}).get("conditions") or []}


def _deployment(obj: Mapping[str, Any]) -> Found:
    conditions = _conditions(obj)
    found: Found = {}
    progressing = conditions.get("Progressing") or {}
    if progressing.get("status") == "False" and progressing.get("reason") == "ProgressDeadlineExceeded":
        found["ProgressDeadlineExceeded"] = (1, str(progressing.get("message") or "the rollout is stuck"))
    failure = conditions.get("ReplicaFailure") or {}
    if failure.get("status") == "True":
        found["ReplicaFailure"] = (1, str(failure.get("message") or failure.get("reason") or "pods fail"))
    return found


def _node(obj: Mapping[str, Any]) -> Found:
    conditions = _conditions(obj)
    found: Found = {}
    ready = conditions.get("Ready")
    if ready is not None and ready.get("status") != "True":
        found["NotReady"] = (1, str(ready.get("message") or ready.get("reason") or "the node is not ready"))
    for pressure in ("MemoryPressure", "DiskPressure", "PIDPressure"):
        condition = conditions.get(pressure) or {}
        if condition.get("status") == "True":
            found[pressure] = (1, str(condition.get("message") or pressure))
    return found


def _job(obj: Mapping[str, Any]) -> Found:
    failed = _conditions(obj).get("Failed") or {}
    if failed.get("status") != "True":
        return {}
    why = ": ".join(str(x) for x in (failed.get("reason"), failed.get("message")) if x)
    return {"Failed": (1, why or "the job failed")}


_STATE = {"pods": _pod, "deployments": _deployment, "nodes": _node, "jobs": _job}
_REASONS = {
    "pods": POD_REASONS,
    "deployments": DEPLOYMENT_REASONS,
    "nodes": NODE_REASONS,
    "jobs": JOB_REASONS,
}
