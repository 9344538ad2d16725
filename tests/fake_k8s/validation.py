"""The 422 checks the fake applies before storing an object.

A focused subset of the API server's validation, enough for the tools' error
paths: DNS-1123 names (labels for namespaces, services and pods' containers),
required images, non-negative replicas, a deployment selector that matches its
template, known Service types and ports in range, and immutable selectors.
Raises `KubeError`; never stores anything.
"""

from __future__ import annotations

import re
from typing import Any

from tests.fake_k8s.errors import DNS1123_LABEL_MESSAGE, DNS1123_SUBDOMAIN_MESSAGE, invalid
from tests.fake_k8s.resources import ResourceType

_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_LABEL_NAMED = {"Namespace", "Service"}
_SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName")
_WORKLOADS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"}


def validate(rt: ResourceType, obj: dict[str, Any], *, old: dict[str, Any] | None = None) -> None:
    name = str((obj.get("metadata") or {}).get("name") or "")
    causes: list[tuple[str, str]] = []
    causes += _name_causes(rt, name)
    if rt.kind in _WORKLOADS:
        causes += _workload_causes(obj, old)
    elif rt.kind == "Pod":
        causes += _pod_spec_causes((obj.get("spec") or {}), "spec")
    elif rt.kind == "Service":
        causes += _service_causes(obj)
    if causes:
        raise invalid(rt, name, causes)


def _name_causes(rt: ResourceType, name: str) -> list[tuple[str, str]]:
    if not name:
        return [("metadata.name", "Required value: name or generateName is required")]
    if rt.kind in _LABEL_NAMED:
        if len(name) > 63 or not _LABEL.match(name):
            return [("metadata.name", f'Invalid value: "{name}": {DNS1123_LABEL_MESSAGE}')]
    elif len(name) > 253 or not _SUBDOMAIN.match(name):
        return [("metadata.name", f'Invalid value: "{name}": {DNS1123_SUBDOMAIN_MESSAGE}')]
    return []


def _pod_spec_causes(spec: dict[str, Any], path: str) -> list[tuple[str, str]]:
    containers = spec.get("containers") or []
    if not containers:
        return [(f"{path}.containers", "Required value")]
    causes = []
    for i, container in enumerate(containers):
        here = f"{path}.containers[{i}]"
        cname = str(container.get("name") or "")
        if not cname:
            causes.append((f"{here}.name", "Required value"))
        elif len(cname) > 63 or not _LABEL.match(cname):
            causes.append((f"{here}.name", f'Invalid value: "{cname}": {DNS1123_LABEL_MESSAGE}'))
        if not container.get("image"):
            causes.append((f"{here}.image", "Required value"))
        for j, port in enumerate(container.get("ports") or []):
            number = port.get("containerPort")
            if not isinstance(number, int) or not 0 < number < 65536:
                causes.append(
                    (
                        f"{here}.ports[{j}].containerPort",
                        f"Invalid value: {number}: must be between 1 and 65535",
                    )
                )
    return causes


def _workload_causes(obj: dict[str, Any], old: dict[str, Any] | None) -> list[tuple[str, str]]:
    spec = obj.get("spec") or {}
    causes: list[tuple[str, str]] = []
    replicas = spec.get("replicas")
    if replicas is not None and (not isinstance(replicas, int) or replicas < 0):
        causes.append(("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0"))
    selector = (spec.get("selector") or {}).get("matchLabels") or {}
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    if not selector:
        causes.append(("spec.selector", "Required value"))
    elif any(labels.get(k) != v for k, v in selector.items()):
        causes.append(
            (
                "spec.template.metadata.labels",
                f"Invalid value: {_go_map(labels)}: `selector` does not match template `labels`",
            )
        )
    causes += _pod_spec_causes(template.get("spec") or {}, "spec.template.spec")
    if old is not None and (old.get("spec") or {}).get("selector") != spec.get("selector"):
        causes.append(("spec.selector", f"Invalid value: {_go_selector(spec)}: field is immutable"))
    return causes


def _service_causes(obj: dict[str, Any]) -> list[tuple[str, str]]:
    spec = obj.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    causes: list[tuple[str, str]] = []
    if kind not in _SERVICE_TYPES:
        supported = ", ".join(f'"{t}"' for t in _SERVICE_TYPES)
        causes.append(("spec.type", f'Unsupported value: "{kind}": supported values: {supported}'))
    ports = spec.get("ports") or []
    if not ports and kind != "ExternalName":
        causes.append(("spec.ports", "Required value"))
    for i, port in enumerate(ports):
        number = port.get("port")
        if not isinstance(number, int) or not 0 < number < 65536:
            causes.append((f"spec.ports[{i}].port", f"Invalid value: {number}: must be between 1 and 65535"))
        node_port = port.get("nodePort")
        if node_port is not None and kind == "ClusterIP":
            causes.append(
                (f"spec.ports[{i}].nodePort", "Forbidden: may not be used when `type` is 'ClusterIP'")
            )
    return causes


def _go_map(labels: dict[str, Any]) -> str:
    return "map[string]string{" + ", ".join(f'"{k}":"{v}"' for k, v in sorted(labels.items())) + "}"


def _go_selector(spec: dict[str, Any]) -> str:
    labels = (spec.get("selector") or {}).get("matchLabels") or {}
    return "v1.LabelSelector{MatchLabels:" + _go_map(labels) + "}"
