"""The fake Kubernetes API server: an aiohttp app, its lifecycle, and what it recorded.

`FakeKubernetes` listens on 127.0.0.1 (random port), authenticates the bearer
token, honours impersonation headers, answers through `api.answer`, and
records every request as a `RecordedRequest` (raw header lines kept, so two
`Impersonate-Group` lines stay two). Tests steer it with `forbid()`,
`access.sar_rule`, `metrics_enabled`, `delay_seconds`, `pod_modes`, and read
state back with `get()` / `objects()`. Never imports project code.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import threading
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from tests.fake_k8s import api
from tests.fake_k8s.access import AccessControl, ForbidRule
from tests.fake_k8s.cluster import FakeCluster
from tests.fake_k8s.errors import KubeError, no_such_path
from tests.fake_k8s.logs import LogStore
from tests.fake_k8s.podstatus import PodMode
from tests.fake_k8s.resources import resource_for_kind
from tests.fake_k8s.routes import parse_route, split_group_version
from tests.fake_k8s.selectors import parse_field_selector, parse_label_selector
from tests.fake_k8s.store import Obj
from tests.fake_k8s.watch import WatchHub


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


DEFAULT_TOKEN = "fake-token-0123456789"


@dataclasses.dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: tuple[tuple[str, str], ...]  # raw header lines, in order
    body: Any
    dry_run: bool
    status: int

    def header_values(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def header(self, name: str) -> str | None:
        values = self.header_values(name)
        return values[0] if values else None

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def impersonate_user(self) -> str | None:
        return self.header("Impersonate-User")

    @property
    def impersonate_groups(self) -> list[str]:
        return self.header_values("Impersonate-Group")

    @property
    def is_mutation(self) -> bool:
        return self.method not in ("GET", "HEAD") and not self.dry_run


class FakeKubernetes:
    def __init__(self, *, token: str = DEFAULT_TOKEN) -> None:
        self.cluster = FakeCluster()
        self.access = AccessControl(token=token)
        self.logs = LogStore()
        self.metrics_enabled = True
        self.delay_seconds = 0.0
        # Set when any request arrives (before `delay_seconds`): tests in other threads wait on it.
        self.request_arrived = threading.Event()
        # Watch streams (tests/fake_k8s/watch.py): every stored change is an event.
        self.watch = WatchHub()
        self.cluster.store.on_change = self.watch.record
        self.requests: list[RecordedRequest] = []
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ----------------------------------------------------------
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def token(self) -> str:
        return self.access.token

    async def start(self, *, port: int = 0) -> FakeKubernetes:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- steering -----------------------------------------------------------
    def forbid(self, **rule: str | None) -> ForbidRule:
        """Forbid matching requests (403): user, group, verb, resource, namespace, subresource, name."""
        return self.access.forbid(**rule)

    @property
    def pod_modes(self) -> dict[tuple[str, str], PodMode]:
        """(namespace, deployment or statefulset) → state of the pods it gets from now on."""
        return self.cluster.controllers.pod_modes

    def add(self, obj: Obj, *, reconcile: bool = False) -> Obj:
        """Store an object as given (status kept, no validation); `reconcile` runs its controller."""
        return self.cluster.seed(obj, reconcile=reconcile)

    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        return self.cluster.store.find(resource_for_kind(kind), namespace, name)

    def objects(self, kind: str, namespace: str | None = None) -> list[Obj]:
        return list(self.cluster.store.items(resource_for_kind(kind), namespace))

    # -- recorded requests --------------------------------------------------
    def mutations(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.is_mutation]

    def reset_requests(self) -> None:
        self.requests.clear()

    # -- HTTP ---------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.request_arrived.set()
        raw = await request.read()
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in request.raw_headers)
        query = {key: request.query.getall(key) for key in request.query}
        content_type = request.headers.get("Content-Type", "application/json").split(";")[0].strip()
        status, body, dry_run = 500, None, request.query.get("dryRun") == "All"
        try:
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            body = api.parse_body(raw, content_type)
            caller = self.access.authenticate(
                authorization=request.headers.get("Authorization"),
                users=request.headers.getall("Impersonate-User", []),
                groups=request.headers.getall("Impersonate-Group", []),
            )
            call = api.Call(
                method=request.method,
                path=request.path,
                query={k: v[0] for k, v in query.items()},
                content_type=content_type,
                body=body,
                caller=caller,
                user_agent=request.headers.get("User-Agent", ""),
            )
            dry_run = call.dry_run
            if call.method == "GET" and request.query.get("watch") in ("true", "1"):
                status = 200
                return await self._watch(request, call)
            status, payload, media = api.answer(self, call)
        except KubeError as e:
            status, payload, media = e.code, e.body, api.JSON
        finally:
            self.requests.append(
                RecordedRequest(request.method, request.path, query, headers, body, dry_run, status)
            )
        if media == api.JSON:
            return web.json_response(payload, status=status, dumps=_compact_json)
        return web.Response(text=str(payload), status=status, content_type=media)

    async def _watch(self, request: web.Request, call: api.Call) -> web.StreamResponse:
        """A watch stream (`WatchHub.serve`): replayed and live events of the matching objects."""
        gv = split_group_version(call.path)
        route = parse_route(gv) if gv else None
        if route is None or not route.is_collection:
            raise no_such_path()
        api.authorize(self, call, route)
        labels = parse_label_selector(call.query.get("labelSelector", ""))
        fields = parse_field_selector(call.query.get("fieldSelector", ""), kind=route.rt.kind)
        namespace = route.namespace

        def matches(obj: Obj) -> bool:
            in_namespace = not namespace or (obj.get("metadata") or {}).get("namespace") == namespace
            return in_namespace and labels(obj) and fields(obj)

        def current() -> list[Obj]:
            body = api.list_body(self, dataclasses.replace(call, query={**call.query, "limit": ""}), route)
            return list(body["items"])

        store = self.cluster.store
        return await self.watch.serve(
            request,
            rt=route.rt,
            query=call.query,
            current=current,
            matches=matches,
            resource_version=lambda: store.resource_version,
        )
