"""Turning a request path into what it addresses, and the RBAC verb it means.

`/api/v1/namespaces/prod/pods/web-1/log` → (pods, namespace prod, name web-1,
subresource log). Knows the URL grammar of the API server and nothing else.
"""

from __future__ import annotations

import dataclasses

from tests.fake_k8s.resources import ResourceType, find_resource


@dataclasses.dataclass(frozen=True)
class Route:
    rt: ResourceType
    namespace: str  # "" for cluster-scoped objects and all-namespaces lists
    name: str = ""
    sub: str = ""

    @property
    def is_collection(self) -> bool:
        return not self.name


@dataclasses.dataclass(frozen=True)
class GroupVersion:
    group: str
    version: str
    rest: tuple[str, ...]


def split_group_version(path: str) -> GroupVersion | None:
    parts = tuple(p for p in path.split("/") if p)
    if len(parts) >= 2 and parts[0] == "api":
        return GroupVersion("", parts[1], parts[2:])
    if len(parts) >= 3 and parts[0] == "apis":
        return GroupVersion(parts[1], parts[2], parts[3:])
    return None


def parse_route(gv: GroupVersion) -> Route | None:
    rest = gv.rest
    if len(rest) >= 3 and rest[0] == "namespaces":
        rt = find_resource(group=gv.group, version=gv.version, plural=rest[2])
        if rt is not None and rt.namespaced and len(rest) <= 5:
            return Route(rt, rest[1], rest[3] if len(rest) > 3 else "", rest[4] if len(rest) > 4 else "")
    if not rest or len(rest) > 3:
        return None
    rt = find_resource(group=gv.group, version=gv.version, plural=rest[0])
    if rt is None:
        return None
    name = rest[1] if len(rest) > 1 else ""
    if rt.namespaced and name:
        return None  # a namespaced kind named without its namespace
    return Route(rt, "", name, rest[2] if len(rest) > 2 else "")


def rbac_verb(method: str, route: Route, *, watch: bool) -> str:
    if method == "GET":
        if route.is_collection:
            return "watch" if watch else "list"
        return "get"
    if method == "POST":
        return "create"
    if method == "PUT":
        return "update"
    if method == "PATCH":
        return "patch"
    if method == "DELETE":
        return "deletecollection" if route.is_collection else "delete"
    return method.lower()
