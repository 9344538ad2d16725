"""List + watch of one resource with the official client's `kubernetes.watch.Watch`, in a thread.

`ResourceWatch.run()` is an informer's loop reduced to what the alerts need:
list (paged) when it has no resourceVersion, then watch from the last
resourceVersion it saw (object or BOOKMARK), resuming there after a dropped
connection or a server-side timeout, and relisting when the server says that
version is gone (410). Errors back off exponentially (`Backoff`); a clean
stream resets it. What it saw is handed to `deliver` as `WatchItem`s: a
`Listed` snapshot after each (re)list, `Change`s, `Bookmark`s and `Restart`s.
Objects stay the API's JSON dicts (no model classes). It never writes to the
cluster and knows nothing of what the objects mean (`signals`) or of storage.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import logging
import random
import threading
from collections.abc import Callable, Mapping
from typing import Any, Literal

import urllib3
from kubernetes import client, watch
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

log = logging.getLogger(__name__)

WATCH_TIMEOUT_S = 300  # the server closes each watch after this; the loop watches again
READ_SLACK_S = 30  # a connection silent for the watch's timeout plus this is dead
PAGE_SIZE = 500
FIELD_SELECTORS = {"events": "type=Warning"}


@dataclasses.dataclass(frozen=True)
class WatchTarget:
    resource: str  # events, pods, deployments, nodes, jobs
    namespace: str | None = None  # None: every namespace (nodes are cluster-scoped anyway)

    @property
    def position(self) -> str:
        """The name its resourceVersion is stored under."""
        return self.resource if self.namespace is None else f"{self.resource}@{self.namespace}"


@dataclasses.dataclass(frozen=True)
class Listed:
    target: WatchTarget
    objects: tuple[Mapping[str, Any], ...]
    resource_version: str


@dataclasses.dataclass(frozen=True)
class Change:
    target: WatchTarget
    type: Literal["ADDED", "MODIFIED", "DELETED"]
    object: Mapping[str, Any]
    resource_version: str


@dataclasses.dataclass(frozen=True)
class Bookmark:
    target: WatchTarget
    resource_version: str


@dataclasses.dataclass(frozen=True)
class Restart:
    target: WatchTarget
    reason: Literal["expired", "dropped", "error"]
    detail: str = ""


WatchItem = Listed | Change | Bookmark | Restart


@dataclasses.dataclass
class Backoff:
    """Exponential back-off with full jitter: base·factor^n, at most `cap` seconds."""

    base_s: float = 0.5
    cap_s: float = 30.0
    factor: float = 2.0
    attempt: int = 0

    def next(self) -> float:
        ceiling = min(self.cap_s, self.base_s * self.factor**self.attempt)
        self.attempt += 1
        return random.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.attempt = 0


def list_function(api: ApiClient, target: WatchTarget) -> Callable[..., Any]:
    """The typed client's list call of `target`, wrapped without annotations so `Watch`
    hands events back as plain dicts (it looks for a model class in the signature)."""
    core, apps, batch = client.CoreV1Api(api), client.AppsV1Api(api), client.BatchV1Api(api)
    calls: dict[str, tuple[Callable[..., Any], Callable[..., Any] | None]] = {
        "events": (core.list_event_for_all_namespaces, core.list_namespaced_event),
        "pods": (core.list_pod_for_all_namespaces, core.list_namespaced_pod),
        "deployments": (apps.list_deployment_for_all_namespaces, apps.list_namespaced_deployment),
        "nodes": (core.list_node, None),
        "jobs": (batch.list_job_for_all_namespaces, batch.list_namespaced_job),
    }
    every, one = calls[target.resource]
    chosen = functools.partial(one, target.namespace) if one and target.namespace else every
    selector = FIELD_SELECTORS.get(target.resource)

    def call(**kwargs: Any) -> Any:
        if selector:
            kwargs["field_selector"] = selector
        return chosen(**kwargs)

    return call


class ResourceWatch:
    def __init__(
        self,
        api: ApiClient,
        target: WatchTarget,
        *,
        deliver: Callable[[WatchItem], None],
        resource_version: str | None = None,
        timeout_s: int = WATCH_TIMEOUT_S,
        backoff: Backoff | None = None,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.target = target
        self.resource_version = resource_version or None
        self._api = api
        self._deliver = deliver
        self._timeout_s = timeout_s
        self._backoff = backoff or Backoff()
        self._page_size = page_size
        self._stopped = threading.Event()
        self._call: Callable[..., Any] | None = None
        self._watch: Any = None

    def stop(self) -> None:
        self._stopped.set()
        if self._watch is not None:
            self._watch.stop()  # shuts the socket of a stream in progress

    def run(self) -> None:
        """Until `stop()`: (re)list when needed, watch, resume, back off on errors."""
        # Built here, in the watch's own thread: the client's API modules load lazily, and the
        # first load takes long enough to stall an event loop.
        self._call = list_function(self._api, self.target)
        self._watch = watch.Watch()  # type: ignore[no-untyped-call]
        while not self._stopped.is_set():
            try:
                if self.resource_version is None:
                    self._list()
                self._stream()
            except ApiException as error:
                if error.status == 410:
                    self.resource_version = None  # compacted: relist at once
                    self._deliver(Restart(self.target, "expired", f"HTTP 410: {error.reason}"))
                    continue
                self._pause("error", f"HTTP {error.status}: {error.reason}")
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as error:
                self._pause("dropped", type(error).__name__)
            except Exception as error:  # the thread's boundary: keep watching whatever happened
                log.exception("watch of %s failed", self.target.position)
                self._pause("error", type(error).__name__)

    def _pause(self, reason: Literal["dropped", "error"], detail: str) -> None:
        if self._stopped.is_set():
            return
        delay = self._backoff.next()
        log.info("watch of %s: %s (%s); again in %.1fs", self.target.position, reason, detail, delay)
        self._deliver(Restart(self.target, reason, detail))
        self._stopped.wait(delay)

    def _list(self) -> None:
        objects: list[Mapping[str, Any]] = []
        token: str | None = None
        while True:
            kwargs: dict[str, Any] = {"limit": self._page_size, "_preload_content": False}
            if token:
                kwargs["_continue"] = token
            assert self._call is not None
            response = self._call(_request_timeout=self._timeout_s, **kwargs)
            page = json.loads(response.data)
            objects.extend(page.get("items") or [])
            metadata = page.get("metadata") or {}
            token = metadata.get("continue")
            if not token:
                break
        self.resource_version = str(metadata.get("resourceVersion") or "")
        self._deliver(Listed(self.target, tuple(objects), self.resource_version))
        self._backoff.reset()

    def _stream(self) -> None:
        stream = self._watch.stream(
            self._call,
            resource_version=self.resource_version,
            allow_watch_bookmarks=True,
            timeout_seconds=self._timeout_s,
            _request_timeout=(10, self._timeout_s + READ_SLACK_S),
        )
        for event in stream:
            if self._stopped.is_set():
                break
            if not isinstance(event, dict):
                continue
            kind, obj = event.get("type"), event.get("raw_object") or event.get("object")
            version = str(((obj or {}).get("metadata") or {}).get("resourceVersion") or "")
            if kind == "BOOKMARK" and version:
                self.resource_version = version
                self._deliver(Bookmark(self.target, version))
            elif kind in ("ADDED", "MODIFIED", "DELETED") and isinstance(obj, dict):
                self._deliver(Change(self.target, kind, obj, version))
                if version:
                    self.resource_version = version
            self._backoff.reset()
