"""The API verbs over the store: create, replace, patch, apply, delete, scale, evict.

Each write validates (422), checks `metadata.resourceVersion` and delete
preconditions (409), bumps `generation` when the spec changes, records the
field manager in `managedFields`, and with `dry_run=True` returns the
would-be object without storing it or running controllers. Everything else
(HTTP parsing, authorisation, request recording) belongs to the server.
"""

from __future__ import annotations

import copy
from typing import Any

from tests.fake_k8s import patches
from tests.fake_k8s.controllers import Controllers
from tests.fake_k8s.errors import (
    KubeError,
    already_exists,
    bad_request,
    conflict,
    invalid,
    not_found,
    success_body,
)
from tests.fake_k8s.podstatus import pod_status
from tests.fake_k8s.resources import ResourceType, resource_for_kind
from tests.fake_k8s.store import Obj, ObjectStore, now_iso
from tests.fake_k8s.validation import validate

NAMESPACE = resource_for_kind("Namespace")
_RETURNS_OBJECT_ON_DELETE = {"Pod", "Namespace"}
PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}


class FakeCluster:
    def __init__(self) -> None:
        self.store = ObjectStore()
        self.controllers = Controllers(self.store)

    # -- seeding (no validation, keeps the given status) ----------------------
    def seed(self, obj: Obj, *, reconcile: bool = False) -> Obj:
        rt = resource_for_kind(obj["kind"])
        namespace = (obj.get("metadata") or {}).get("namespace", "")
        stored = self.store.put(rt, self.store.new_metadata(rt=rt, obj=obj, namespace=namespace))
        if reconcile:
            self.controllers.after_write(rt, stored)
        return self.store.get(rt, namespace, stored["metadata"]["name"])

    # -- verbs ---------------------------------------------------------------
    def create(self, rt: ResourceType, namespace: str, body: Obj, *, dry_run: bool, manager: str) -> Obj:
        if rt.namespaced and self.store.find(NAMESPACE, "", namespace) is None:
            raise not_found(NAMESPACE, namespace)
        body_ns = (body.get("metadata") or {}).get("namespace")
        if rt.namespaced and body_ns and body_ns != namespace:
            raise bad_request(
                "the namespace of the provided object does not match the namespace sent on the request"
            )
        obj = self.store.new_metadata(rt=rt, obj=copy.deepcopy(body), namespace=namespace)
        name = obj["metadata"].get("name", "")
        validate(rt, obj)
        if self.store.find(rt, namespace, name) is not None:
            raise already_exists(rt, name)
        if rt.kind == "Pod" and not obj.get("status"):
            spec = {**obj["spec"], "nodeName": obj["spec"].get("nodeName") or self.controllers.default_node}
            obj = {**obj, "spec": spec, "status": pod_status(spec)}
        elif rt.kind == "Namespace":
            obj["status"] = {"phase": "Active"}
        obj["metadata"]["managedFields"] = _managed_fields([], manager=manager, operation="Update", rt=rt)
        if dry_run:
            return obj
        stored = self.store.put(rt, obj)
        self.controllers.after_write(rt, stored)
        return self.store.get(rt, namespace, name)

    def replace(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        body: Obj,
        *,
        dry_run: bool,
        manager: str,
        sub: str = "",
    ) -> Obj:
        old = self.store.get(rt, namespace, name)
        body_name = (body.get("metadata") or {}).get("name")
        if body_name and body_name != name:
            raise bad_request(
                f"the name of the object ({body_name}) does not match the name on the URL ({name})"
            )
        if sub == "status":
            new = {**old, "status": copy.deepcopy(body.get("status") or {})}
            return self._update(
                rt, old, new, wanted_rv=_rv_of(body), dry_run=dry_run, manager=manager, keep_status=False
            )
        return self._update(
            rt, old, copy.deepcopy(body), wanted_rv=_rv_of(body), dry_run=dry_run, manager=manager
        )

    def patch(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        body: Any,
        *,
        patch_type: str,
        dry_run: bool,
        manager: str,
        sub: str = "",
    ) -> tuple[Obj, int]:
        """Returns (object, HTTP status); server-side apply of a missing object creates it (201)."""
        old = self.store.find(rt, namespace, name)
        if old is None:
            if patch_type != "apply":
                raise not_found(rt, name)
            if not isinstance(body, dict):
                raise bad_request("apply patch must be an object")
            created = self.create(rt, namespace, body, dry_run=dry_run, manager=manager)
            return created, 201
        if patch_type == "json":
            new = patches.json_patch(old, body)
        elif patch_type == "merge":
            new = patches.merge_patch(old, body)
        else:
            new = patches.strategic_merge_patch(old, body)
        if sub == "status":
            new = {**old, "status": new.get("status") or {}}
        wanted = _rv_of(body) if isinstance(body, dict) else None
        operation = "Apply" if patch_type == "apply" else "Update"
        updated = self._update(
            rt,
            old,
            new,
            wanted_rv=wanted,
            dry_run=dry_run,
            manager=manager,
            operation=operation,
            keep_status=sub != "status",
        )
        return updated, 200

    def _update(
        self,
        rt: ResourceType,
        old: Obj,
        new: Obj,
        *,
        wanted_rv: str | None,
        dry_run: bool,
        manager: str,
        operation: str = "Update",
        keep_status: bool = True,
    ) -> Obj:
        name, namespace = old["metadata"]["name"], old["metadata"].get("namespace", "")
        if wanted_rv and wanted_rv != old["metadata"]["resourceVersion"]:
            raise conflict(rt, name)
        meta = dict(new.get("metadata") or {})
        for key in ("uid", "creationTimestamp", "name", "generation", "resourceVersion"):
            if key in old["metadata"]:
                meta[key] = old["metadata"][key]
        if rt.namespaced:
            meta["namespace"] = namespace
        if new.get("spec") != old.get("spec"):
            meta["generation"] = int(old["metadata"].get("generation", 1)) + 1
        meta["managedFields"] = _managed_fields(
            old["metadata"].get("managedFields") or [], manager=manager, operation=operation, rt=rt
        )
        new = {**new, "apiVersion": rt.api_version, "kind": rt.kind, "metadata": meta}
        if keep_status and "status" in rt.subresources:
            # The main resource ignores status; only the /status subresource writes it.
            new = {k: v for k, v in new.items() if k != "status"}
            if "status" in old:
                new["status"] = old["status"]
        validate(rt, new, old=old)
        if dry_run:
            return new
        stored = self.store.put(rt, new)
        self.controllers.after_write(rt, stored)
        return self.store.get(rt, namespace, name)

    def delete(
        self, rt: ResourceType, namespace: str, name: str, *, options: dict[str, Any], dry_run: bool
    ) -> Obj:
        obj = self.store.get(rt, namespace, name)
        preconditions = options.get("preconditions") or {}
        uid, rv = preconditions.get("uid"), preconditions.get("resourceVersion")
        meta = obj["metadata"]
        if uid and uid != meta["uid"]:
            why = f"Precondition failed: UID in precondition: {uid}, UID in object meta: {meta['uid']}"
            raise conflict(rt, name, why)
        if rv and rv != meta["resourceVersion"]:
            why = (
                f"Precondition failed: ResourceVersion in precondition: {rv}, "
                f"ResourceVersion in object meta: {meta['resourceVersion']}"
            )
            raise conflict(rt, name, why)
        gone = {**obj, "metadata": {**meta, "deletionTimestamp": now_iso()}}
        if rt.kind == "Namespace":
            gone["status"] = {"phase": "Terminating"}
        if not dry_run:
            self.store.remove(rt, namespace, name)
            self.controllers.after_delete(obj, orphan=options.get("propagationPolicy") == "Orphan")
        if rt.kind in _RETURNS_OBJECT_ON_DELETE:
            return gone
        return success_body(rt=rt, name=name, uid=meta["uid"])

    # -- scale subresource ---------------------------------------------------
    def get_scale(self, rt: ResourceType, namespace: str, name: str) -> Obj:
        return to_scale(self.store.get(rt, namespace, name))

    def write_scale(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        body: Any,
        *,
        patch_type: str | None,
        dry_run: bool,
        manager: str,
    ) -> Obj:
        old = self.store.get(rt, namespace, name)
        scale = to_scale(old)
        if patch_type is None:
            new_scale = body
        elif patch_type == "json":
            new_scale = patches.json_patch(scale, body)
        else:
            new_scale = patches.merge_patch(scale, body)
        replicas = (new_scale.get("spec") or {}).get("replicas") if isinstance(new_scale, dict) else None
        if not isinstance(replicas, int) or replicas < 0:
            raise invalid(
                rt,
                name,
                [("spec.replicas", f"Invalid value: {replicas}: must be greater than or equal to 0")],
            )
        new = {**old, "spec": {**old["spec"], "replicas": replicas}}
        wanted = _rv_of(new_scale) if patch_type is None else _rv_of(body if isinstance(body, dict) else {})
        updated = self._update(rt, old, new, wanted_rv=wanted, dry_run=dry_run, manager=manager)
        return to_scale(updated)

    def evict(self, namespace: str, name: str, *, dry_run: bool) -> Obj:
        pod_rt = resource_for_kind("Pod")
        self.delete(pod_rt, namespace, name, options={}, dry_run=dry_run)
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}


def to_scale(obj: Obj) -> Obj:
    meta = obj["metadata"]
    labels = ((obj.get("spec") or {}).get("selector") or {}).get("matchLabels") or {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"],
            "namespace": meta.get("namespace"),
            "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"],
            "creationTimestamp": meta["creationTimestamp"],
        },
        "spec": {"replicas": int((obj.get("spec") or {}).get("replicas", 1))},
        "status": {
            "replicas": int((obj.get("status") or {}).get("replicas", 0)),
            "selector": ",".join(f"{k}={v}" for k, v in sorted(labels.items())),
        },
    }


def _rv_of(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    value = (body.get("metadata") or {}).get("resourceVersion")
    return str(value) if value else None


def _managed_fields(
    entries: list[dict[str, Any]], *, manager: str, operation: str, rt: ResourceType
) -> list[dict[str, Any]]:
    kept = [e for e in entries if not (e.get("manager") == manager and e.get("operation") == operation)]
    kept.append(
        {
            "manager": manager,
            "operation": operation,
            "apiVersion": rt.api_version,
            "time": now_iso(),
            "fieldsType": "FieldsV1",
            "fieldsV1": {"f:metadata": {}, "f:spec": {}},
        }
    )
    return kept


__all__ = ["PATCH_TYPES", "FakeCluster", "KubeError", "to_scale"]
