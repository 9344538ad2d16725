"""What a change's effect says about its danger: ONE declarative table, each rule with its sentence.

A rule reads one `ObjectEffect` (the object now and as the dry run says it will be) and
either raises the change to DESTRUCTIVE (`EFFECT`: replicas to zero, deletions, node
taints, cordons) or marks it with a risk flag (`FLAG`: privileged pods, host namespaces,
RBAC, webhooks, ownerReferences…) that needs the admin role whatever the verb. In this
policy the admin role is exactly the DESTRUCTIVE level (only admins may request or approve
it), so both kinds lift the effective safety to DESTRUCTIVE; flags are printed first on
the card. Pod-level flags count only when this change creates or alters the pod template
and the resulting template has the property: a replicas change to a privileged
DaemonSet is judged by its replicas, not by a privilege it already had.
This module only reads effects; the gate (`bot.gate.effect_gate`) applies the verdict.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from tools.base import ObjectEffect

Obj = Mapping[str, Any]


class RuleKind(enum.Enum):
    EFFECT = "effect"  # the change does something destructive
    FLAG = "flag"  # the change touches something only an admin may touch


@dataclasses.dataclass(frozen=True)
class EffectRule:
    name: str
    kind: RuleKind
    sentence: str  # what the card prints before the objects it applies to
    applies: Callable[[ObjectEffect], bool]


def _get(obj: Obj | None, *keys: str) -> Any:
    value: Any = obj
    for key in keys:
        value = value.get(key) if isinstance(value, Mapping) else None
    return value


def pod_spec(obj: Obj | None) -> Obj | None:
    """The pod spec an object runs (a Pod's own, a workload's template, a CronJob's job template)."""
    kind = _get(obj, "kind")
    if kind == "Pod":
        spec = _get(obj, "spec")
    elif kind == "CronJob":
        spec = _get(obj, "spec", "jobTemplate", "spec", "template", "spec")
    else:
        spec = _get(obj, "spec", "template", "spec")
    return spec if isinstance(spec, Mapping) else None


def _new_pods(effect: ObjectEffect) -> Obj | None:
    """The resulting pod spec, when this change creates or alters it; else None."""
    if effect.action not in ("create", "update"):
        return None
    after = pod_spec(effect.new)
    if after is None or (effect.action == "update" and after == pod_spec(effect.old)):
        return None
    return after


def _containers(spec: Obj) -> Iterator[Obj]:
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(field) or []:
            if isinstance(container, Mapping):
                yield container


def _replicas(obj: Obj | None) -> int | None:
    value = _get(obj, "spec", "replicas")
    return int(value) if isinstance(value, int) else None


def _to_zero(effect: ObjectEffect) -> bool:
    if effect.action != "update" or _get(effect.new, "spec", "replicas") is None:
        return False
    before = _replicas(effect.old)
    return _replicas(effect.new) == 0 and (before is None or before > 0)


def _deleted(*kinds: str) -> Callable[[ObjectEffect], bool]:
    return lambda e: e.action == "delete" and (not kinds or e.kind in kinds)


_DELETES_WITH_CONTENT = ("Namespace", "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition")


def _replaced(effect: ObjectEffect) -> bool:
    before, after = _get(effect.old, "metadata", "uid"), _get(effect.new, "metadata", "uid")
    return effect.action == "update" and bool(before) and bool(after) and before != after


def _taints(obj: Obj | None) -> set[tuple[str, str]]:
    return {
        (str(t.get("key")), str(t.get("effect")))
        for t in _get(obj, "spec", "taints") or []
        if isinstance(t, Mapping) and t.get("effect") in ("NoExecute", "NoSchedule")
    }


def _tainted(effect: ObjectEffect) -> bool:
    return (
        effect.kind == "Node" and effect.new is not None and bool(_taints(effect.new) - _taints(effect.old))
    )


def _cordoned(effect: ObjectEffect) -> bool:
    return (
        effect.kind == "Node"
        and bool(_get(effect.new, "spec", "unschedulable"))
        and not _get(effect.old, "spec", "unschedulable")
    )


def _pods(test: Callable[[Obj], bool]) -> Callable[[ObjectEffect], bool]:
    def applies(effect: ObjectEffect) -> bool:
        spec = _new_pods(effect)
        return spec is not None and test(spec)

    return applies


def _privileged(spec: Obj) -> bool:
    return any(_get(c, "securityContext", "privileged") is True for c in _containers(spec))


def _host_namespaces(spec: Obj) -> bool:
    return any(spec.get(f) is True for f in ("hostPID", "hostNetwork", "hostIPC"))


def _host_path(spec: Obj) -> bool:
    return any(isinstance(v, Mapping) and "hostPath" in v for v in spec.get("volumes") or [])


def _capabilities(spec: Obj) -> bool:
    return any(_get(c, "securityContext", "capabilities", "add") for c in _containers(spec))


def _of_kind(*kinds: str) -> Callable[[ObjectEffect], bool]:
    return lambda e: e.action != "unchanged" and e.kind in kinds


# Finalizers the API server itself adds on create; they are not the requester's doing.
_SYSTEM_FINALIZERS = frozenset({"kubernetes.io/pvc-protection", "kubernetes.io/pv-protection"})


def _metadata_changes(field: str) -> Callable[[ObjectEffect], bool]:
    def applies(effect: ObjectEffect) -> bool:
        if effect.action not in ("create", "update"):
            return False
        before = _get(effect.old, "metadata", field) or []
        after = _get(effect.new, "metadata", field) or []
        if field == "finalizers":
            before = [f for f in before if f not in _SYSTEM_FINALIZERS]
            after = [f for f in after if f not in _SYSTEM_FINALIZERS]
        return bool(before != after)

    return applies


_ACCOUNT_FIELDS = ("serviceAccountName", "serviceAccount", "automountServiceAccountToken")


def _service_account(effect: ObjectEffect) -> bool:
    if effect.kind == "ServiceAccount":
        return effect.action != "unchanged"
    spec = _new_pods(effect)
    if spec is None:
        return False
    before = pod_spec(effect.old) or {}
    changed = [f for f in _ACCOUNT_FIELDS if spec.get(f) != before.get(f)]
    if effect.action == "create":
        changed = [f for f in changed if spec.get(f) not in (None, "default")]
    return bool(changed)


_RBAC = ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding")
_ADMISSION = (
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
)

E, F = RuleKind.EFFECT, RuleKind.FLAG
RULES: tuple[EffectRule, ...] = (
    # Risk flags: the admin role whatever the verb.
    EffectRule("privileged", F, "a container runs privileged (full access to the node)", _pods(_privileged)),
    EffectRule(
        "host-namespaces", F, "pods share the node's PID, network or IPC namespace", _pods(_host_namespaces)
    ),
    EffectRule("host-path", F, "pods mount a directory of the node (hostPath volume)", _pods(_host_path)),
    EffectRule("capabilities", F, "a container gets added Linux capabilities", _pods(_capabilities)),
    EffectRule("rbac", F, "an RBAC object changes who may do what", _of_kind(*_RBAC)),
    EffectRule(
        "admission", F, "an admission webhook or policy changes what the API accepts", _of_kind(*_ADMISSION)
    ),
    EffectRule(
        "crd", F, "a CustomResourceDefinition changes the API itself", _of_kind("CustomResourceDefinition")
    ),
    EffectRule(
        "owner-references",
        F,
        "ownerReferences change (the garbage collector deletes an object whose owner is gone)",
        _metadata_changes("ownerReferences"),
    ),
    EffectRule(
        "finalizers",
        F,
        "finalizers change (they can hold an object from being deleted)",
        _metadata_changes("finalizers"),
    ),
    EffectRule("service-account", F, "a ServiceAccount, or the one pods run as, changes", _service_account),
    # Effects that make a change DESTRUCTIVE whatever its verb.
    EffectRule("replicas-to-zero", E, "replicas go to 0: every pod stops", _to_zero),
    EffectRule(
        "deletes-with-content",
        E,
        "deleted with what it holds (a namespace's objects, a volume's data, a CRD's objects)",
        _deleted(*_DELETES_WITH_CONTENT),
    ),
    EffectRule(
        "deletes",
        E,
        "deleted",
        lambda e: e.action == "delete" and e.kind not in _DELETES_WITH_CONTENT,
    ),
    EffectRule("replaces", E, "replaced (deleted and created again)", _replaced),
    EffectRule(
        "node-taint", E, "a NoExecute/NoSchedule taint is added: pods are evicted or kept off", _tainted
    ),
    EffectRule("cordon", E, "cordoned: no new pods are scheduled there", _cordoned),
)
