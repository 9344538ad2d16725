"""The allow-listed Kubernetes kinds: where each lives in the API and how to spell it.

Only kinds listed here can be read, described or applied; every other name is
refused before any call. This module builds URL paths and never talks to a
cluster.
"""

from __future__ import annotations

import dataclasses
from typing import Literal
from urllib.parse import quote

KindName = Literal[
    "pod",
    "deployment",
    "replicaset",
    "statefulset",
    "daemonset",
    "job",
    "cronjob",
    "service",
    "ingress",
    "node",
    "namespace",
    "event",
    "configmap",
    "persistentvolumeclaim",
    "secret",
]


@dataclasses.dataclass(frozen=True)
class ResourceKind:
    name: str  # singular, lower case: the argument value
    kind: str  # the API's Kind
    plural: str
    group: str  # "" for the core group
    version: str
    namespaced: bool = True
    aliases: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, *, namespace: str | None = None, name: str | None = None, sub: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if self.namespaced and namespace is not None:
            base += f"/namespaces/{quote(namespace, safe='')}"
        base += f"/{self.plural}"
        if name is not None:
            base += f"/{quote(name, safe='')}"
            if sub:
                base += f"/{sub}"
        return base


KINDS: dict[str, ResourceKind] = {
    k.name: k
    for k in (
        ResourceKind("pod", "Pod", "pods", "", "v1", aliases=("po",)),
        ResourceKind("deployment", "Deployment", "deployments", "apps", "v1", aliases=("deploy",)),
        ResourceKind("replicaset", "ReplicaSet", "replicasets", "apps", "v1", aliases=("rs",)),
        ResourceKind("statefulset", "StatefulSet", "statefulsets", "apps", "v1", aliases=("sts",)),
        ResourceKind("daemonset", "DaemonSet", "daemonsets", "apps", "v1", aliases=("ds",)),
        ResourceKind("job", "Job", "jobs", "batch", "v1"),
        ResourceKind("cronjob", "CronJob", "cronjobs", "batch", "v1", aliases=("cj",)),
        ResourceKind("service", "Service", "services", "", "v1", aliases=("svc",)),
        ResourceKind("ingress", "Ingress", "ingresses", "networking.k8s.io", "v1", aliases=("ing",)),
        ResourceKind("node", "Node", "nodes", "", "v1", namespaced=False, aliases=("no",)),
        ResourceKind("namespace", "Namespace", "namespaces", "", "v1", namespaced=False, aliases=("ns",)),
        ResourceKind("event", "Event", "events", "", "v1", aliases=("ev",)),
        ResourceKind("configmap", "ConfigMap", "configmaps", "", "v1", aliases=("cm",)),
        ResourceKind(
            "persistentvolumeclaim",
            "PersistentVolumeClaim",
            "persistentvolumeclaims",
            "",
            "v1",
            aliases=("pvc",),
        ),
        ResourceKind("secret", "Secret", "secrets", "", "v1"),
    )
}

_BY_SPELLING: dict[str, ResourceKind] = {}
for _k in KINDS.values():
    for _spelling in (_k.name, _k.plural, _k.kind.lower(), *_k.aliases):
        _BY_SPELLING[_spelling] = _k

# Kinds `k8s_apply` may create or change besides the readable ones.
APPLY_ONLY: dict[str, ResourceKind] = {
    k.kind: k
    for k in (
        ResourceKind("serviceaccount", "ServiceAccount", "serviceaccounts", "", "v1"),
        ResourceKind(
            "horizontalpodautoscaler",
            "HorizontalPodAutoscaler",
            "horizontalpodautoscalers",
            "autoscaling",
            "v2",
        ),
        ResourceKind("poddisruptionbudget", "PodDisruptionBudget", "poddisruptionbudgets", "policy", "v1"),
        ResourceKind("networkpolicy", "NetworkPolicy", "networkpolicies", "networking.k8s.io", "v1"),
    )
}

ROLLOUT_KINDS = ("deployment", "statefulset", "daemonset")


def normalise_kind(value: object) -> object:
    """Turn `pods`, `po`, `Pod` into `pod`; anything unknown is left for the Literal to refuse."""
    if isinstance(value, str):
        found = _BY_SPELLING.get(value.strip().lower())
        if found is not None:
            return found.name
    return value


def kind_for(name: str) -> ResourceKind:
    return KINDS[name]


def kind_for_manifest(api_version: str, kind: str) -> ResourceKind | None:
    """The allow-listed kind a manifest document names, or None."""
    for candidate in (*KINDS.values(), *APPLY_ONLY.values()):
        if candidate.kind == kind and candidate.api_version == api_version:
            return candidate
    return None
