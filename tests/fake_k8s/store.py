"""Stored objects, the global resourceVersion counter and paged listing.

Objects are plain dicts keyed by resource type and (namespace, name). A stored
dict is never mutated in place: writers put a new dict, so seeded objects may
share read-only sub-structures (10,000 pods cost little memory) and a reader
may serialise what it got without copying. Knows nothing of HTTP, validation
or controllers.
"""

from __future__ import annotations

import base64
import datetime
import json
import secrets
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tests.fake_k8s.errors import bad_request, not_found
from tests.fake_k8s.resources import ResourceType, resource_for_kind

Obj = dict[str, Any]
Key = tuple[str, str]  # (namespace, name); namespace "" for cluster-scoped objects


def now_iso() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def random_suffix(length: int = 5) -> str:
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(secrets.choice(alphabet) for _ in range(length))


class ObjectStore:
    def __init__(self) -> None:
        self._objects: dict[str, dict[Key, Obj]] = {}
        self._resource_version = 1000
        # Told of every stored change (the watch streams): ("ADDED" | "MODIFIED" | "DELETED", type, object).
        self.on_change: Callable[[str, ResourceType, Obj], None] | None = None

    # -- counters -----------------------------------------------------------
    @property
    def resource_version(self) -> str:
        return str(self._resource_version)

    def next_resource_version(self) -> str:
        self._resource_version += 1
        return str(self._resource_version)

    # -- reads ---------------------------------------------------------------
    def _bucket(self, rt: ResourceType) -> dict[Key, Obj]:
        return self._objects.setdefault(f"{rt.group}/{rt.plural}", {})

    def find(self, rt: ResourceType, namespace: str, name: str) -> Obj | None:
        return self._bucket(rt).get((namespace if rt.namespaced else "", name))

    def get(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        obj = self.find(rt, namespace, name)
        if obj is None:
            raise not_found(rt, name)
        return obj

    def items(self, rt: ResourceType, namespace: str | None = None) -> Iterator[Obj]:
        """Objects of a type in key order; every namespace when `namespace` is None."""
        bucket = self._bucket(rt)
        for key in sorted(bucket):
            if namespace is None or key[0] == namespace:
                yield bucket[key]

    def count(self, rt: ResourceType) -> int:
        return len(self._bucket(rt))

    def list_page(
        self,
        rt: ResourceType,
        *,
        namespace: str | None,
        match: Callable[[Mapping[str, Any]], bool],
        limit: int | None,
        continue_token: str | None,
    ) -> tuple[list[Obj], str | None, int | None]:
        """One page: (items, continue token or None, remaining count or None)."""
        after: Key | None = _decode_continue(continue_token) if continue_token else None
        bucket = self._bucket(rt)
        keys = sorted(k for k in bucket if namespace is None or k[0] == namespace)
        page: list[Obj] = []
        last: Key | None = None
        remaining = 0
        for key in keys:
            if after is not None and key <= after:
                continue
            obj = bucket[key]
            if not match(obj):
                continue
            if limit is not None and len(page) >= limit:
                remaining += 1
                continue
            page.append(obj)
            last = key
        if remaining and last is not None:
            return page, _encode_continue(last, self.resource_version), remaining
        return page, None, None

    # -- writes --------------------------------------------------------------
    def put(self, rt: ResourceType, obj: Obj) -> Obj:
        """Store `obj` (already complete) with a fresh resourceVersion; returns what was stored."""
        meta = obj["metadata"]
        meta["resourceVersion"] = self.next_resource_version()
        key = (meta.get("namespace", "") if rt.namespaced else "", meta["name"])
        bucket = self._bucket(rt)
        change = "MODIFIED" if key in bucket else "ADDED"
        bucket[key] = obj
        if self.on_change is not None:
            self.on_change(change, rt, obj)
        return obj

    def remove(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        obj = self._bucket(rt).pop((namespace if rt.namespaced else "", name), None)
        if obj is None:
            raise not_found(rt, name)
        version = self.next_resource_version()
        if self.on_change is not None:
            gone = {**obj, "metadata": {**obj["metadata"], "resourceVersion": version}}
            self.on_change("DELETED", rt, gone)
        return obj

    def all_buckets(self) -> Iterator[tuple[ResourceType, Obj]]:
        for bucket in list(self._objects.values()):
            for obj in list(bucket.values()):
                yield resource_for_kind(obj["kind"]), obj

    def new_metadata(self, *, rt: ResourceType, obj: Obj, namespace: str) -> Obj:
        """A copy of `obj` with the server-set metadata of a create filled in."""
        meta = dict(obj.get("metadata") or {})
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = f"{meta['generateName']}{random_suffix()}"
        if rt.namespaced:
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = meta.get("creationTimestamp") or now_iso()
        meta["generation"] = 1
        meta.pop("resourceVersion", None)
        meta.pop("deletionTimestamp", None)
        return {**obj, "apiVersion": rt.api_version, "kind": rt.kind, "metadata": meta}


def _encode_continue(last: Key, resource_version: str) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": int(resource_version), "start": "/".join(last) + "\x00"})
    return base64.urlsafe_b64encode(raw.encode()).decode()


def _decode_continue(token: str) -> Key:
    try:
        raw = json.loads(base64.urlsafe_b64decode(token.encode()))
        namespace, name = str(raw["start"]).rstrip("\x00").split("/", 1)
    except (ValueError, KeyError, TypeError):
        raise bad_request("continue key is not valid: incorrect encoded start resourceVersion") from None
    return namespace, name
