"""The resource types the fake API server serves, and its discovery documents.

One table maps (group, version, plural) to kind, scope and the subresources a
path may name. Discovery (`/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`) is
generated from it so the client and the table cannot disagree. Holds no
objects and no request handling.
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool = True
    subresources: tuple[str, ...] = ()
    short_names: tuple[str, ...] = ()

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """How the API names the resource in messages: `deployments.apps`, `pods`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def singular(self) -> str:
        return self.kind.lower()


_RT = ResourceType
RESOURCE_TYPES: tuple[ResourceType, ...] = (
    _RT("", "v1", "namespaces", "Namespace", False, ("status", "finalize"), ("ns",)),
    _RT("", "v1", "nodes", "Node", False, ("status",), ("no",)),
    _RT("", "v1", "pods", "Pod", True, ("log", "status", "eviction"), ("po",)),
    _RT("", "v1", "services", "Service", True, ("status",), ("svc",)),
    _RT("", "v1", "events", "Event", True, (), ("ev",)),
    _RT("", "v1", "configmaps", "ConfigMap", True, (), ("cm",)),
    _RT("", "v1", "secrets", "Secret", True, ()),
    _RT("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", True, ("status",), ("pvc",)),
    _RT("", "v1", "serviceaccounts", "ServiceAccount", True, (), ("sa",)),
    _RT("apps", "v1", "deployments", "Deployment", True, ("scale", "status"), ("deploy",)),
    _RT("apps", "v1", "replicasets", "ReplicaSet", True, ("scale", "status"), ("rs",)),
    _RT("apps", "v1", "statefulsets", "StatefulSet", True, ("scale", "status"), ("sts",)),
    _RT("apps", "v1", "daemonsets", "DaemonSet", True, ("status",), ("ds",)),
    _RT("apps", "v1", "controllerrevisions", "ControllerRevision", True, ()),
    _RT("batch", "v1", "jobs", "Job", True, ("status",)),
    _RT("batch", "v1", "cronjobs", "CronJob", True, ("status",), ("cj",)),
    _RT("networking.k8s.io", "v1", "ingresses", "Ingress", True, ("status",), ("ing",)),
    _RT("coordination.k8s.io", "v1", "leases", "Lease", True, ()),
    _RT("authorization.k8s.io", "v1", "subjectaccessreviews", "SubjectAccessReview", False),
    _RT("authorization.k8s.io", "v1", "selfsubjectaccessreviews", "SelfSubjectAccessReview", False),
    _RT("authorization.k8s.io", "v1", "selfsubjectrulesreviews", "SelfSubjectRulesReview", False),
    _RT("metrics.k8s.io", "v1beta1", "pods", "PodMetrics", True),
    _RT("metrics.k8s.io", "v1beta1", "nodes", "NodeMetrics", False),
)

# Kinds whose objects are computed per request rather than stored.
VIRTUAL_GROUPS = frozenset({"authorization.k8s.io", "metrics.k8s.io"})
METRICS_GROUP = "metrics.k8s.io"

_BY_PATH = {(r.group, r.version, r.plural): r for r in RESOURCE_TYPES}
_BY_KIND = {r.kind: r for r in RESOURCE_TYPES if r.group not in VIRTUAL_GROUPS}


def find_resource(*, group: str, version: str, plural: str) -> ResourceType | None:
    return _BY_PATH.get((group, version, plural))


def resource_for_kind(kind: str) -> ResourceType:
    """The stored resource type of a kind (`Deployment` → deployments.apps); KeyError if unknown."""
    return _BY_KIND[kind]


def group_versions(*, metrics: bool) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for r in RESOURCE_TYPES:
        if r.group == METRICS_GROUP and not metrics:
            continue
        versions = groups.setdefault(r.group, [])
        if r.version not in versions:
            versions.append(r.version)
    return groups


def api_versions_document() -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:6443"}],
    }


def api_groups_document(*, metrics: bool) -> dict[str, Any]:
    groups = []
    for group, versions in group_versions(metrics=metrics).items():
        if not group:
            continue
        entries = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        groups.append({"name": group, "versions": entries, "preferredVersion": entries[0]})
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def resource_list_document(*, group: str, version: str) -> dict[str, Any] | None:
    types = [r for r in RESOURCE_TYPES if r.group == group and r.version == version]
    if not types:
        return None
    resources: list[dict[str, Any]] = []
    for r in types:
        verbs = ["create"] if r.group == "authorization.k8s.io" else _verbs(r)
        resources.append(
            {
                "name": r.plural,
                "singularName": r.singular,
                "namespaced": r.namespaced,
                "kind": r.kind,
                "verbs": verbs,
                **({"shortNames": list(r.short_names)} if r.short_names else {}),
            }
        )
        for sub in r.subresources:
            resources.append(
                {
                    "name": f"{r.plural}/{sub}",
                    "singularName": "",
                    "namespaced": r.namespaced,
                    "kind": "Scale" if sub == "scale" else r.kind,
                    "verbs": ["get", "patch", "update"] if sub != "eviction" else ["create"],
                    **({"group": "autoscaling", "version": "v1"} if sub == "scale" else {}),
                }
            )
    gv = f"{group}/{version}" if group else version
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}


def _verbs(r: ResourceType) -> list[str]:
    if r.group == METRICS_GROUP:
        return ["get", "list"]
    return ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


VERSION_DOCUMENT = {
    "major": "1",
    "minor": "31",
    "gitVersion": "v1.31.2-fake",
    "gitCommit": "0000000000000000000000000000000000000000",
    "gitTreeState": "clean",
    "buildDate": "2024-10-22T20:28:14Z",
    "goVersion": "go1.22.8",
    "compiler": "gc",
    "platform": "linux/amd64",
}
