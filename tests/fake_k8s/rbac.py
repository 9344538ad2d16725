"""RBAC as the API server evaluates it, for the fake: roles, bindings, subjects, wildcards.

`Rbac.from_manifests()` takes rendered ClusterRoles, Roles and their bindings (e.g. the
chart's `helm template` output); `allows()` answers one request's attributes for a user
and their groups; `rules_for()` is a SelfSubjectRulesReview's answer. Deny-by-default,
union of rules, `resourceNames` honoured, `*` in verbs/apiGroups/resources honoured.
Never imports project code.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any


@dataclasses.dataclass(frozen=True)
class Rule:
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    verbs: tuple[str, ...]
    resource_names: tuple[str, ...] = ()

    @classmethod
    def of(cls, rule: Mapping[str, Any]) -> Rule:
        return cls(
            tuple(rule.get("apiGroups") or ()),
            tuple(rule.get("resources") or ()),
            tuple(rule.get("verbs") or ()),
            tuple(rule.get("resourceNames") or ()),
        )

    def matches(self, *, verb: str, group: str, resource: str, name: str) -> bool:
        return (
            ("*" in self.verbs or verb in self.verbs)
            and ("*" in self.api_groups or group in self.api_groups)
            and ("*" in self.resources or resource in self.resources)
            and (not self.resource_names or name in self.resource_names)
        )

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "verbs": list(self.verbs),
            "apiGroups": list(self.api_groups),
            "resources": list(self.resources),
        }
        if self.resource_names:
            body["resourceNames"] = list(self.resource_names)
        return body


@dataclasses.dataclass(frozen=True)
class Binding:
    namespace: str | None  # None: a ClusterRoleBinding (every namespace and cluster scope)
    rules: tuple[Rule, ...]
    users: frozenset[str]
    groups: frozenset[str]

    def applies_to(self, user: str, groups: Sequence[str], namespace: str) -> bool:
        if self.namespace is not None and self.namespace != namespace:
            return False
        return user in self.users or bool(self.groups.intersection(groups))


def _subject_names(subjects: Iterable[Mapping[str, Any]]) -> tuple[frozenset[str], frozenset[str]]:
    users, groups = set(), set()
    for s in subjects:
        if s["kind"] == "ServiceAccount":
            users.add(f"system:serviceaccount:{s['namespace']}:{s['name']}")
        elif s["kind"] == "User":
            users.add(s["name"])
        elif s["kind"] == "Group":
            groups.add(s["name"])
    return frozenset(users), frozenset(groups)


class Rbac:
    def __init__(self, bindings: Sequence[Binding]) -> None:
        self.bindings = tuple(bindings)

    @classmethod
    def from_manifests(cls, manifests: Iterable[Mapping[str, Any]]) -> Rbac:
        manifests = list(manifests)
        roles = {
            (
                m["kind"],
                m["metadata"].get("namespace") if m["kind"] == "Role" else None,
                m["metadata"]["name"],
            ): (tuple(Rule.of(r) for r in m.get("rules") or ()))
            for m in manifests
            if m["kind"] in ("Role", "ClusterRole")
        }
        bindings = []
        for m in manifests:
            if m["kind"] not in ("RoleBinding", "ClusterRoleBinding"):
                continue
            namespace = m["metadata"].get("namespace") if m["kind"] == "RoleBinding" else None
            ref = m["roleRef"]
            key = (ref["kind"], namespace if ref["kind"] == "Role" else None, ref["name"])
            users, groups = _subject_names(m.get("subjects") or ())
            bindings.append(Binding(namespace, roles.get(key, ()), users, groups))
        return cls(bindings)

    def allows(
        self,
        *,
        user: str,
        groups: Sequence[str],
        verb: str,
        group: str,
        resource: str,
        namespace: str,
        name: str,
    ) -> bool:
        for binding in self.bindings:
            if binding.namespace is not None and not namespace:
                continue  # a RoleBinding never grants cluster-scoped or all-namespace requests
            if not binding.applies_to(user, groups, namespace):
                continue
            if any(r.matches(verb=verb, group=group, resource=resource, name=name) for r in binding.rules):
                return True
        return False

    def rules_for(self, *, user: str, groups: Sequence[str], namespace: str) -> list[dict[str, Any]]:
        return [
            rule.to_json()
            for binding in self.bindings
            if binding.applies_to(user, groups, namespace)
            for rule in binding.rules
        ]
