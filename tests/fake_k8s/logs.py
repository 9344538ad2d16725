"""Container logs and metrics.k8s.io usage for the fake cluster.

`LogStore.add(namespace, pod, lines, container=..., previous=...)` keeps
timestamped lines; `read()` answers `/log` with the real parameters
(container, tailLines, sinceSeconds, previous, timestamps, limitBytes) and
the real 400 messages (no container chosen in a multi-container pod,
unknown container, no previous instance, container waiting to start).
`pod_metrics()` / `node_metrics()` build PodMetrics / NodeMetrics from the
stored objects with stable per-name usage. No HTTP handling.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from typing import Any

from tests.fake_k8s.errors import bad_request
from tests.fake_k8s.store import Obj, now_iso

LogKey = tuple[str, str, str, bool]  # namespace, pod, container, previous


class LogStore:
    def __init__(self) -> None:
        self._lines: dict[LogKey, list[tuple[datetime.datetime, str]]] = {}

    def add(
        self,
        namespace: str,
        pod: str,
        lines: Iterable[str],
        *,
        container: str,
        previous: bool = False,
        seconds_apart: float = 1.0,
        ends_ago_s: float = 0.0,
    ) -> None:
        texts = list(lines)
        end = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=ends_ago_s)
        stamped = [
            (end - datetime.timedelta(seconds=seconds_apart * (len(texts) - 1 - i)), text)
            for i, text in enumerate(texts)
        ]
        self._lines.setdefault((namespace, pod, container, previous), []).extend(stamped)

    def read(
        self,
        pod: Obj,
        *,
        container: str | None,
        tail_lines: int | None,
        since_seconds: int | None,
        previous: bool,
        timestamps: bool,
        limit_bytes: int | None,
    ) -> str:
        meta, spec = pod["metadata"], pod.get("spec") or {}
        names = [c["name"] for c in spec.get("containers") or []]
        if container is None:
            if len(names) != 1:
                choices = " ".join(names)
                raise bad_request(
                    f"a container name must be specified for pod {meta['name']}, choose one of: [{choices}]"
                )
            container = names[0]
        if container not in names:
            raise bad_request(f"container {container} is not valid for pod {meta['name']}")
        key = (meta.get("namespace", ""), meta["name"], container, previous)
        if previous and key not in self._lines:
            raise bad_request(
                f'previous terminated container "{container}" in pod "{meta["name"]}" not found'
            )
        waiting = _waiting_reason(pod, container)
        if not previous and waiting and key not in self._lines:
            why = _waiting_text(waiting)
            raise bad_request(f'container "{container}" in pod "{meta["name"]}" is waiting to start: {why}')
        lines = self._lines.get(key, [])
        if since_seconds is not None:
            cutoff = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=since_seconds)
            lines = [entry for entry in lines if entry[0] >= cutoff]
        if tail_lines is not None:
            lines = lines[-tail_lines:] if tail_lines > 0 else []
        rendered = "".join(
            (f"{moment.strftime('%Y-%m-%dT%H:%M:%S.%fZ')} " if timestamps else "") + text + "\n"
            for moment, text in lines
        )
        if limit_bytes is not None:
            rendered = rendered.encode()[:limit_bytes].decode(errors="ignore")
        return rendered


def _waiting_reason(pod: Obj, container: str) -> str:
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status.get("name") == container:
            return str(((status.get("state") or {}).get("waiting") or {}).get("reason") or "")
    return "ContainerCreating" if (pod.get("status") or {}).get("phase") == "Pending" else ""


def _waiting_text(reason: str) -> str:
    if reason in ("ImagePullBackOff", "ErrImagePull"):
        return "trying and failing to pull image"
    return reason


def _usage(name: str) -> tuple[str, str]:
    number = int(hashlib.sha256(name.encode()).hexdigest()[:6], 16)
    return f"{1_000_000 + number * 37}n", f"{20_000 + number % 200_000}Ki"


def pod_metrics(pod: Obj) -> dict[str, Any] | None:
    """PodMetrics for a running pod; None for pods that metrics-server would not report."""
    if (pod.get("status") or {}).get("phase") != "Running":
        return None
    meta = pod["metadata"]
    containers = []
    for container in (pod.get("spec") or {}).get("containers") or []:
        cpu, memory = _usage(f"{meta['name']}/{container['name']}")
        containers.append({"name": container["name"], "usage": {"cpu": cpu, "memory": memory}})
    return {
        "kind": "PodMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {
            "name": meta["name"],
            "namespace": meta.get("namespace"),
            "creationTimestamp": now_iso(),
            "labels": meta.get("labels") or {},
        },
        "timestamp": now_iso(),
        "window": "10.146s",
        "containers": containers,
    }


def node_metrics(node: Obj) -> dict[str, Any] | None:
    conditions = (node.get("status") or {}).get("conditions") or []
    if not any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions):
        return None
    cpu, memory = _usage(node["metadata"]["name"])
    return {
        "kind": "NodeMetrics",
        "apiVersion": "metrics.k8s.io/v1beta1",
        "metadata": {
            "name": node["metadata"]["name"],
            "creationTimestamp": now_iso(),
            "labels": node["metadata"].get("labels") or {},
        },
        "timestamp": now_iso(),
        "window": "20.05s",
        "usage": {"cpu": cpu.replace("n", "0n"), "memory": memory.replace("Ki", "0Ki")},
    }
