"""What the cluster's controllers would do after a write, done at once.

Deployments roll out instantly: one ReplicaSet per pod template (named
`<deployment>-<template hash>`, annotated `deployment.kubernetes.io/revision`,
reused and renumbered when a rollback returns to an old template), older
ReplicaSets scaled to 0, pods `<rs>-xxxxx` created or removed to match, and
the deployment's status counts set. `pod_modes[(namespace, deployment)]`
chooses the state of new pods ("running" by default; "unready", "crashloop",
"pending"... keep a rollout from becoming ready). StatefulSets get ordinal
pods; cordoned nodes get the unschedulable taint; deleting an owner deletes
what it owns. Works on the store only; no HTTP, no validation.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from tests.fake_k8s.podstatus import PodMode, ago, pod_status
from tests.fake_k8s.resources import ResourceType, resource_for_kind
from tests.fake_k8s.store import Obj, ObjectStore, now_iso, random_suffix

REVISION = "deployment.kubernetes.io/revision"
HASH_LABEL = "pod-template-hash"
POD = resource_for_kind("Pod")
RS = resource_for_kind("ReplicaSet")
CONTROLLER_REVISION = resource_for_kind("ControllerRevision")
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"


def template_hash(template: dict[str, Any]) -> str:
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(alphabet[b % len(alphabet)] for b in digest[:10])


def owner_reference(owner: Obj) -> dict[str, Any]:
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": owner["metadata"]["name"],
        "uid": owner["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def is_owned_by(obj: Obj, owner: Obj) -> bool:
    uid = owner["metadata"]["uid"]
    return any(ref.get("uid") == uid for ref in obj["metadata"].get("ownerReferences") or [])


class Controllers:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.pod_modes: dict[tuple[str, str], PodMode] = {}
        self.default_node = "node-1"

    def after_write(self, rt: ResourceType, obj: Obj) -> None:
        if rt.kind == "Deployment":
            self.reconcile_deployment(obj)
        elif rt.kind == "StatefulSet":
            self.reconcile_statefulset(obj)
        elif rt.kind == "DaemonSet":
            self.reconcile_daemonset(obj)
        elif rt.kind == "Node":
            self._taint_cordoned(obj)

    def after_delete(self, obj: Obj, *, orphan: bool = False) -> None:
        if obj["kind"] == "Namespace":
            name = obj["metadata"]["name"]
            for rt, other in list(self.store.all_buckets()):
                if rt.namespaced and other["metadata"].get("namespace") == name:
                    self.store.remove(rt, name, other["metadata"]["name"])
            return
        if orphan:
            return
        self._replace_deleted_pod(obj)
        namespace = obj["metadata"].get("namespace", "")
        for rt, other in list(self.store.all_buckets()):
            same_namespace = other["metadata"].get("namespace", "") == namespace
            still_there = self.store.find(rt, namespace, other["metadata"]["name"]) is not None
            if same_namespace and still_there and is_owned_by(other, obj):
                self.store.remove(rt, namespace, other["metadata"]["name"])
                self.after_delete(other)

    def _replace_deleted_pod(self, pod: Obj) -> None:
        """A ReplicaSet replaces a deleted pod under a new name, as the real controller does."""
        if pod["kind"] != "Pod":
            return
        namespace = pod["metadata"].get("namespace", "")
        for ref in pod["metadata"].get("ownerReferences") or []:
            rs = (
                self.store.find(RS, namespace, ref.get("name", ""))
                if ref.get("kind") == "ReplicaSet"
                else None
            )
            if rs is not None and rs["metadata"]["uid"] == ref.get("uid"):
                owners: list[dict[str, Any]] = rs["metadata"].get("ownerReferences") or []
                deployment = str(owners[0].get("name", "")) if owners else ""
                mode = self.pod_modes.get((namespace, deployment), "running")
                self.scale_replicaset(rs, replicas=int(rs["spec"].get("replicas", 0)), mode=mode)

    # -- deployments ---------------------------------------------------------
    def reconcile_deployment(self, deployment: Obj) -> None:
        meta, spec = deployment["metadata"], deployment["spec"]
        namespace, name = meta["namespace"], meta["name"]
        replicas = int(spec.get("replicas", 1))
        owned = [rs for rs in self.store.items(RS, namespace) if is_owned_by(rs, deployment)]
        newest = max((_revision(rs) for rs in owned), default=0)
        template_id = template_hash(spec["template"])
        active = next((rs for rs in owned if rs["metadata"]["labels"].get(HASH_LABEL) == template_id), None)
        if spec.get("paused") and owned:
            active = max(owned, key=_revision)
        elif active is None:
            active = self._new_replicaset(deployment, template_id, revision=newest + 1)
        elif _revision(active) != newest:
            active = self._with_revision(active, newest + 1)
        mode = self.pod_modes.get((namespace, name), "running")
        for rs in owned:
            if rs["metadata"]["uid"] != active["metadata"]["uid"] and rs["spec"].get("replicas", 0) != 0:
                self.scale_replicaset(rs, replicas=0, mode=mode)
        ready = self.scale_replicaset(active, replicas=replicas, mode=mode)
        annotations = {**(meta.get("annotations") or {}), REVISION: str(_revision(active))}
        status = _deployment_status(
            deployment, replicas=replicas, ready=ready, paused=bool(spec.get("paused"))
        )
        updated = {**deployment, "metadata": {**meta, "annotations": annotations}, "status": status}
        self.store.put(resource_for_kind("Deployment"), updated)

    def _new_replicaset(self, deployment: Obj, template_id: str, *, revision: int) -> Obj:
        meta, spec = deployment["metadata"], deployment["spec"]
        template = spec["template"]
        labels = {**(template.get("metadata") or {}).get("labels", {}), HASH_LABEL: template_id}
        pod_template = {**template, "metadata": {**(template.get("metadata") or {}), "labels": labels}}
        rs: Obj = {
            "metadata": {
                "name": f"{meta['name']}-{template_id}",
                "labels": labels,
                "annotations": {
                    REVISION: str(revision),
                    "deployment.kubernetes.io/desired-replicas": str(spec.get("replicas", 1)),
                },
                "ownerReferences": [owner_reference(deployment)],
            },
            "spec": {
                "replicas": 0,
                "selector": {
                    "matchLabels": {**spec["selector"].get("matchLabels", {}), HASH_LABEL: template_id}
                },
                "template": pod_template,
            },
            "status": {"replicas": 0, "observedGeneration": 1},
        }
        return self.store.put(RS, self.store.new_metadata(rt=RS, obj=rs, namespace=meta["namespace"]))

    def _with_revision(self, rs: Obj, revision: int) -> Obj:
        annotations = {**rs["metadata"].get("annotations", {}), REVISION: str(revision)}
        return self.store.put(RS, {**rs, "metadata": {**rs["metadata"], "annotations": annotations}})

    def scale_replicaset(self, rs: Obj, *, replicas: int, mode: PodMode) -> int:
        """Make the ReplicaSet own `replicas` pods; returns how many are ready."""
        namespace = rs["metadata"]["namespace"]
        pods = [p for p in self.store.items(POD, namespace) if is_owned_by(p, rs)]
        for pod in pods[replicas:]:
            self.store.remove(POD, namespace, pod["metadata"]["name"])
        pods = pods[:replicas]
        template = rs["spec"]["template"]
        while len(pods) < replicas:
            name = f"{rs['metadata']['name']}-{random_suffix()}"
            pods.append(self._new_pod(rs, template, name=name, mode=mode))
        ready = sum(1 for p in pods if _is_ready(p))
        status = {
            "replicas": replicas,
            "fullyLabeledReplicas": replicas,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        self.store.put(RS, {**rs, "spec": {**rs["spec"], "replicas": replicas}, "status": status})
        return ready

    def _new_pod(self, owner: Obj, template: dict[str, Any], *, name: str, mode: PodMode) -> Obj:
        spec = {**pod_spec_defaults(), **template.get("spec", {}), "nodeName": self.default_node}
        pod: Obj = {
            "metadata": {
                "name": name,
                "labels": dict((template.get("metadata") or {}).get("labels") or {}),
                "annotations": dict((template.get("metadata") or {}).get("annotations") or {}),
                "ownerReferences": [owner_reference(owner)],
            },
            "spec": spec,
            "status": pod_status(
                spec, mode=mode, restarts=7 if mode == "crashloop" else 0, pod_ip=f"10.244.1.{len(name) + 20}"
            ),
        }
        namespace = owner["metadata"]["namespace"]
        return self.store.put(POD, self.store.new_metadata(rt=POD, obj=pod, namespace=namespace))

    # -- controller revisions (statefulsets, daemonsets) --------------------------
    def record_revision(self, owner: Obj) -> str:
        """The ControllerRevision of the owner's current template (created if new); returns its name."""
        namespace, name = owner["metadata"]["namespace"], owner["metadata"]["name"]
        template = owner["spec"]["template"]
        revision_name = f"{name}-{template_hash(template)}"
        owned = [r for r in self.store.items(CONTROLLER_REVISION, namespace) if is_owned_by(r, owner)]
        existing = next((r for r in owned if r["metadata"]["name"] == revision_name), None)
        number = max((int(r.get("revision") or 0) for r in owned), default=0) + 1
        body = {
            "apiVersion": "apps/v1",
            "kind": "ControllerRevision",
            "metadata": {
                "name": revision_name,
                "labels": dict((template.get("metadata") or {}).get("labels") or {}),
                "ownerReferences": [owner_reference(owner)],
            },
            "data": {"spec": {"template": {**template, "$patch": "replace"}}},
            "revision": number,
        }
        if existing is None:
            self.store.put(
                CONTROLLER_REVISION,
                self.store.new_metadata(rt=CONTROLLER_REVISION, obj=body, namespace=namespace),
            )
        elif int(existing.get("revision") or 0) != number - 1:
            # Rolling back to an older template makes its revision the newest again, as on a real cluster.
            self.store.put(CONTROLLER_REVISION, {**existing, "revision": number})
        return revision_name

    def reconcile_daemonset(self, ds: Obj) -> None:
        revision = self.record_revision(ds)
        status = dict(ds.get("status") or {})
        status["observedGeneration"] = ds["metadata"].get("generation", 1)
        self.store.put(
            resource_for_kind("DaemonSet"), {**ds, "status": {**status, "updateRevision": revision}}
        )

    # -- statefulsets and nodes ----------------------------------------------
    def reconcile_statefulset(self, sts: Obj) -> None:
        namespace, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        replicas = int(sts["spec"].get("replicas", 1))
        pods = {p["metadata"]["name"]: p for p in self.store.items(POD, namespace) if is_owned_by(p, sts)}
        mode = self.pod_modes.get((namespace, name), "running")
        for ordinal in range(replicas):
            if f"{name}-{ordinal}" not in pods:
                self._new_pod(sts, sts["spec"]["template"], name=f"{name}-{ordinal}", mode=mode)
        for pod_name in pods:
            if int(pod_name.rsplit("-", 1)[1]) >= replicas:
                self.store.remove(POD, namespace, pod_name)
        ready = sum(1 for p in self.store.items(POD, namespace) if is_owned_by(p, sts) and _is_ready(p))
        revision = self.record_revision(sts)
        status = {
            "currentRevision": revision,
            "updateRevision": revision,
            "replicas": replicas,
            "readyReplicas": ready,
            "currentReplicas": replicas,
            "updatedReplicas": replicas,
            "availableReplicas": ready,
            "observedGeneration": sts["metadata"].get("generation", 1),
        }
        self.store.put(resource_for_kind("StatefulSet"), {**sts, "status": status})

    def _taint_cordoned(self, node: Obj) -> None:
        spec = node.get("spec") or {}
        taints = [t for t in spec.get("taints") or [] if t.get("key") != UNSCHEDULABLE_TAINT]
        if spec.get("unschedulable"):
            taints.append({"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule", "timeAdded": now_iso()})
        if taints != (spec.get("taints") or []):
            new_spec = (
                {**spec, "taints": taints} if taints else {k: v for k, v in spec.items() if k != "taints"}
            )
            self.store.put(resource_for_kind("Node"), {**node, "spec": new_spec})


def pod_spec_defaults() -> dict[str, Any]:
    return {
        "restartPolicy": "Always",
        "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "securityContext": {},
    }


def _revision(rs: Obj) -> int:
    return int((rs["metadata"].get("annotations") or {}).get(REVISION, "0"))


def _is_ready(pod: Obj) -> bool:
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def _deployment_status(deployment: Obj, *, replicas: int, ready: int, paused: bool) -> dict[str, Any]:
    available = ready >= replicas
    if paused:
        progressing = ("Unknown", "DeploymentPaused", "Deployment is paused")
    elif available:
        progressing = ("True", "NewReplicaSetAvailable", "ReplicaSet has successfully progressed.")
    else:
        progressing = ("True", "ReplicaSetUpdated", "ReplicaSet is progressing.")
    status: dict[str, Any] = {
        "observedGeneration": deployment["metadata"].get("generation", 1),
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "conditions": [
            {
                "type": "Available",
                "status": "True" if available else "False",
                "reason": "MinimumReplicasAvailable" if available else "MinimumReplicasUnavailable",
                "message": "Deployment has minimum availability."
                if available
                else "Deployment does not have minimum availability.",
                "lastUpdateTime": ago(60),
                "lastTransitionTime": ago(60),
            },
            {
                "type": "Progressing",
                "status": progressing[0],
                "reason": progressing[1],
                "message": progressing[2],
                "lastUpdateTime": ago(60),
                "lastTransitionTime": ago(60),
            },
        ],
    }
    if replicas - ready > 0:
        status["unavailableReplicas"] = replicas - ready
    return status
