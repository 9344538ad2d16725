"""Answering one authenticated API request: discovery, reads, writes, logs, metrics, reviews.

`answer(state, request_info)` returns (HTTP status, body, content type)
or raises `KubeError`; the server turns both into responses. List items
carry no kind/apiVersion (as the real server sends typed lists), lists page
with `limit` / `continue`, and `dryRun=All` reaches every mutating verb.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any, Protocol

import yaml

from tests.fake_k8s import resources
from tests.fake_k8s.access import AccessControl, Attributes, Caller
from tests.fake_k8s.cluster import PATCH_TYPES, FakeCluster
from tests.fake_k8s.errors import (
    KubeError,
    bad_request,
    forbidden,
    method_not_allowed,
    no_such_path,
    unsupported_media_type,
)
from tests.fake_k8s.logs import LogStore, node_metrics, pod_metrics
from tests.fake_k8s.routes import Route, parse_route, rbac_verb, split_group_version
from tests.fake_k8s.selectors import parse_field_selector, parse_label_selector
from tests.fake_k8s.store import Obj

JSON = "application/json"


class State(Protocol):
    cluster: FakeCluster
    access: AccessControl
    logs: LogStore
    metrics_enabled: bool


@dataclasses.dataclass(frozen=True)
class Call:
    method: str
    path: str
    query: Mapping[str, str]
    content_type: str
    body: Any
    caller: Caller
    user_agent: str

    @property
    def dry_run(self) -> bool:
        if self.query.get("dryRun") == "All":
            return True
        return isinstance(self.body, dict) and "All" in (self.body.get("dryRun") or [])

    @property
    def manager(self) -> str:
        return self.query.get("fieldManager") or self.user_agent.split("/")[0] or "unknown"


Answer = tuple[int, Any, str]


def answer(state: State, call: Call) -> Answer:
    if call.path in ("/version", "/version/"):
        return 200, resources.VERSION_DOCUMENT, JSON
    if call.path in ("/healthz", "/livez", "/readyz"):
        return 200, "ok", "text/plain"
    if call.path.rstrip("/") == "/api":
        return 200, resources.api_versions_document(), JSON
    if call.path.rstrip("/") == "/apis":
        return 200, resources.api_groups_document(metrics=state.metrics_enabled), JSON
    gv = split_group_version(call.path)
    if gv is None or (gv.group == resources.METRICS_GROUP and not state.metrics_enabled):
        raise no_such_path()
    if not gv.rest:
        document = resources.resource_list_document(group=gv.group, version=gv.version)
        if document is None:
            raise no_such_path()
        return 200, document, JSON
    route = parse_route(gv)
    if route is None:
        raise no_such_path()
    authorize(state, call, route)
    if route.rt.group == "authorization.k8s.io":
        if call.method != "POST" or not isinstance(call.body, dict):
            raise method_not_allowed()
        if route.rt.kind == "SelfSubjectRulesReview":
            return 201, state.access.rules_review(call.body, caller=call.caller), JSON
        self_review = route.rt.kind == "SelfSubjectAccessReview"
        return 201, state.access.review(call.body, caller=call.caller, self_review=self_review), JSON
    if route.rt.group == resources.METRICS_GROUP:
        return _metrics(state, call, route)
    return _resource(state, call, route)


def authorize(state: State, call: Call, route: Route) -> None:
    verb = rbac_verb(call.method, route, watch=call.query.get("watch") in ("true", "1"))
    attrs = Attributes(
        verb=verb,
        group=route.rt.group,
        resource=route.rt.plural,
        namespace=route.namespace,
        name=route.name,
        subresource=route.sub,
    )
    caller = call.caller
    if state.access.is_forbidden(user=caller.user, groups=caller.groups, attrs=attrs):
        raise forbidden(
            rt=route.rt,
            name=route.name or None,
            user=caller.user,
            verb=verb,
            namespace=route.namespace or None,
            subresource=route.sub,
        )


def _int(query: Mapping[str, str], key: str) -> int | None:
    value = query.get(key)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise bad_request(f"invalid value for {key}: {value!r}") from None


def _resource(state: State, call: Call, route: Route) -> Answer:
    cluster, rt = state.cluster, route.rt
    if route.sub and route.sub not in rt.subresources:
        raise no_such_path()
    if call.method == "GET":
        if route.is_collection:
            return 200, list_body(state, call, route), JSON
        obj = cluster.store.get(rt, route.namespace, route.name)
        if route.sub == "log":
            return 200, _read_log(state, call, obj), "text/plain"
        if route.sub == "scale":
            return 200, cluster.get_scale(rt, route.namespace, route.name), JSON
        return 200, obj, JSON
    if call.method in ("POST", "PUT", "PATCH") and not isinstance(call.body, (dict, list)):
        raise bad_request("the request body is not a JSON or YAML object")
    if call.method == "POST":
        if route.sub == "eviction":
            return 201, cluster.evict(route.namespace, route.name, dry_run=call.dry_run), JSON
        if not route.is_collection:
            raise method_not_allowed()
        return (
            201,
            cluster.create(rt, route.namespace, call.body, dry_run=call.dry_run, manager=call.manager),
            JSON,
        )
    if route.is_collection:
        raise method_not_allowed()
    if call.method == "PUT":
        if route.sub == "scale":
            body = cluster.write_scale(
                rt,
                route.namespace,
                route.name,
                call.body,
                patch_type=None,
                dry_run=call.dry_run,
                manager=call.manager,
            )
            return 200, body, JSON
        obj = cluster.replace(
            rt,
            route.namespace,
            route.name,
            call.body,
            dry_run=call.dry_run,
            manager=call.manager,
            sub=route.sub,
        )
        return 200, obj, JSON
    if call.method == "PATCH":
        return _patch(state, call, route)
    if call.method == "DELETE":
        options = call.body if isinstance(call.body, dict) else {}
        if call.query.get("propagationPolicy"):
            options = {**options, "propagationPolicy": call.query["propagationPolicy"]}
        return (
            200,
            cluster.delete(rt, route.namespace, route.name, options=options, dry_run=call.dry_run),
            JSON,
        )
    raise method_not_allowed()


def _patch(state: State, call: Call, route: Route) -> Answer:
    patch_type = PATCH_TYPES.get(call.content_type)
    if patch_type is None:
        raise unsupported_media_type(", ".join(PATCH_TYPES))
    if patch_type == "apply" and not call.query.get("fieldManager"):
        raise KubeError(
            422,
            {
                "kind": "Status",
                "apiVersion": "v1",
                "metadata": {},
                "status": "Failure",
                "message": 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                "is required for apply patch",
                "reason": "Invalid",
                "code": 422,
            },
        )
    cluster, rt = state.cluster, route.rt
    if route.sub == "scale":
        body = cluster.write_scale(
            rt,
            route.namespace,
            route.name,
            call.body,
            patch_type=patch_type,
            dry_run=call.dry_run,
            manager=call.manager,
        )
        return 200, body, JSON
    obj, code = cluster.patch(
        rt,
        route.namespace,
        route.name,
        call.body,
        patch_type=patch_type,
        dry_run=call.dry_run,
        manager=call.manager,
        sub=route.sub,
    )
    return code, obj, JSON


def list_body(state: State, call: Call, route: Route) -> dict[str, Any]:
    rt = route.rt
    labels = parse_label_selector(call.query.get("labelSelector", ""))
    fields = parse_field_selector(call.query.get("fieldSelector", ""), kind=rt.kind)
    items, token, remaining = state.cluster.store.list_page(
        rt,
        namespace=route.namespace or None,
        match=lambda obj: labels(obj) and fields(obj),
        limit=_int(call.query, "limit") or None,
        continue_token=call.query.get("continue") or None,
    )
    metadata: dict[str, Any] = {"resourceVersion": state.cluster.store.resource_version}
    if token:
        metadata["continue"] = token
        metadata["remainingItemCount"] = remaining
    return {
        "kind": f"{rt.kind}List",
        "apiVersion": rt.api_version,
        "metadata": metadata,
        "items": [_without_type(obj) for obj in items],
    }


def _without_type(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}


def _read_log(state: State, call: Call, pod: Obj) -> str:
    return state.logs.read(
        pod,
        container=call.query.get("container") or None,
        tail_lines=_int(call.query, "tailLines"),
        since_seconds=_int(call.query, "sinceSeconds"),
        previous=call.query.get("previous") in ("true", "1"),
        timestamps=call.query.get("timestamps") in ("true", "1"),
        limit_bytes=_int(call.query, "limitBytes"),
    )


def _metrics(state: State, call: Call, route: Route) -> Answer:
    if call.method != "GET":
        raise method_not_allowed()
    source = resources.resource_for_kind("Pod" if route.rt.plural == "pods" else "Node")
    labels = parse_label_selector(call.query.get("labelSelector", ""))
    build = pod_metrics if source.kind == "Pod" else node_metrics
    if route.name:
        obj = state.cluster.store.find(source, route.namespace, route.name)
        metrics = build(obj) if obj is not None else None
        if metrics is None:
            raise KubeError(404, _metrics_not_found(route))
        return 200, metrics, JSON
    items = [
        m
        for obj in state.cluster.store.items(source, route.namespace or None)
        if labels(obj) and (m := build(obj)) is not None
    ]
    kind = "PodMetricsList" if source.kind == "Pod" else "NodeMetricsList"
    body = {"kind": kind, "apiVersion": "metrics.k8s.io/v1beta1", "metadata": {}, "items": items}
    return 200, body, JSON


def _metrics_not_found(route: Route) -> dict[str, Any]:
    plural = f"{route.rt.plural}.metrics.k8s.io"
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'{plural} "{route.name}" not found',
        "reason": "NotFound",
        "details": {"name": route.name, "group": "metrics.k8s.io", "kind": route.rt.plural},
        "code": 404,
    }


def parse_body(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    try:
        if content_type.endswith("yaml"):
            return yaml.safe_load(raw.decode())
        return json.loads(raw)
    except (ValueError, yaml.YAMLError) as e:
        raise bad_request(f"the request body could not be decoded: {e}") from None
