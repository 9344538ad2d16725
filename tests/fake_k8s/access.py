"""Who is calling and what they may do: bearer token, impersonation, rules, reviews.

A request authenticates with the bearer token (401 otherwise) as the admin
user, or as whoever `Impersonate-User` / `Impersonate-Group` name. A test
forbids actions with `forbid(user=..., verb=..., resource=..., namespace=...)`
(None matches anything); such requests get the real 403 wording, and
SubjectAccessReviews answer from the same rules unless the test installs its
own `sar_rule`. Every review body is kept in `reviews`. No HTTP handling.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from tests.fake_k8s.errors import KubeError, status_body, unauthorized
from tests.fake_k8s.rbac import Rbac

ADMIN_USER = "kubernetes-admin"
ADMIN_GROUPS = ("system:masters", "system:authenticated")

# What every authenticated user may do (the API server's system:basic-user ClusterRole).
BASIC_USER_RULES = (
    {
        "verbs": ["create"],
        "apiGroups": ["authorization.k8s.io"],
        "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
    },
)

SarRule = Callable[[Mapping[str, Any]], "bool | tuple[bool, str]"]


@dataclasses.dataclass(frozen=True)
class Caller:
    user: str
    groups: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Attributes:
    verb: str
    group: str
    resource: str
    namespace: str
    name: str = ""
    subresource: str = ""


@dataclasses.dataclass(frozen=True)
class ForbidRule:
    user: str | None = None
    group: str | None = None
    verb: str | None = None
    resource: str | None = None
    namespace: str | None = None
    subresource: str | None = None
    name: str | None = None

    def matches(self, *, user: str, groups: Sequence[str], attrs: Attributes) -> bool:
        checks = (
            self.user is None or self.user == user,
            self.group is None or self.group in groups,
            self.verb is None or self.verb == attrs.verb,
            self.resource is None or self.resource == attrs.resource,
            self.namespace is None or self.namespace == attrs.namespace,
            self.subresource is None or self.subresource == attrs.subresource,
            self.name is None or self.name == attrs.name,
        )
        return all(checks)


class AccessControl:
    def __init__(self, *, token: str) -> None:
        self.token = token
        self.rules: list[ForbidRule] = []
        self.sar_rule: SarRule | None = None
        self.reviews: list[dict[str, Any]] = []
        # RBAC mode (`use_rbac`): the token is a ServiceAccount and only granted rules allow.
        self.rbac: Rbac | None = None
        self.token_user = ADMIN_USER
        self.token_groups: tuple[str, ...] = ADMIN_GROUPS

    def use_rbac(self, manifests: Sequence[Mapping[str, Any]], *, service_account: str) -> None:
        """Decide every request from these rendered roles and bindings, the token being
        `service_account` ("namespace:name"); impersonation needs its `impersonate` rules too."""
        namespace, name = service_account.split(":", 1)
        self.rbac = Rbac.from_manifests(manifests)
        self.token_user = f"system:serviceaccount:{namespace}:{name}"
        self.token_groups = (
            "system:serviceaccounts",
            f"system:serviceaccounts:{namespace}",
            "system:authenticated",
        )

    def forbid(
        self,
        *,
        user: str | None = None,
        group: str | None = None,
        verb: str | None = None,
        resource: str | None = None,
        namespace: str | None = None,
        subresource: str | None = None,
        name: str | None = None,
    ) -> ForbidRule:
        rule = ForbidRule(user, group, verb, resource, namespace, subresource, name)
        self.rules.append(rule)
        return rule

    def authenticate(self, *, authorization: str | None, users: list[str], groups: list[str]) -> Caller:
        if authorization != f"Bearer {self.token}":
            raise unauthorized()
        if users:
            for resource, names in (("users", users[:1]), ("groups", groups)):
                for target in names:
                    self._check_impersonation(resource, target)
            return Caller(user=users[0], groups=(*groups, "system:authenticated"))
        return Caller(user=self.token_user, groups=self.token_groups)

    def _check_impersonation(self, resource: str, target: str) -> None:
        if self.rbac is None or self.rbac.allows(
            user=self.token_user,
            groups=self.token_groups,
            verb="impersonate",
            group="",
            resource=resource,
            namespace="",
            name=target,
        ):
            return
        message = (
            f'{resource} "{target}" is forbidden: User "{self.token_user}" cannot impersonate resource '
            f'"{resource}" in API group "" at the cluster scope'
        )
        raise KubeError(403, status_body(code=403, reason="Forbidden", message=message, details={}))

    def is_forbidden(self, *, user: str, groups: Sequence[str], attrs: Attributes) -> bool:
        if any(rule.matches(user=user, groups=groups, attrs=attrs) for rule in self.rules):
            return True
        if self.rbac is None or (attrs.group == "authorization.k8s.io" and attrs.resource.startswith("self")):
            return False
        resource = f"{attrs.resource}/{attrs.subresource}" if attrs.subresource else attrs.resource
        return not self.rbac.allows(
            user=user,
            groups=groups,
            verb=attrs.verb,
            group=attrs.group,
            resource=resource,
            namespace=attrs.namespace,
            name=attrs.name,
        )

    def rules_review(self, body: Mapping[str, Any], *, caller: Caller) -> dict[str, Any]:
        """A SelfSubjectRulesReview: the caller's rules in spec.namespace."""
        namespace = str((body.get("spec") or {}).get("namespace") or "")
        if self.rbac is None:
            granted = [{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}]
        else:
            granted = self.rbac.rules_for(user=caller.user, groups=caller.groups, namespace=namespace)
        return {
            "kind": "SelfSubjectRulesReview",
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": None},
            "spec": {"namespace": namespace},
            "status": {
                "resourceRules": [*BASIC_USER_RULES, *granted],
                "nonResourceRules": [],
                "incomplete": False,
            },
        }

    def review(self, body: Mapping[str, Any], *, caller: Caller, self_review: bool) -> dict[str, Any]:
        """Answer a (Self)SubjectAccessReview body; records it."""
        self.reviews.append(dict(body))
        spec = dict(body.get("spec") or {})
        if self_review:
            spec = {**spec, "user": caller.user, "groups": list(caller.groups)}
        attrs = spec.get("resourceAttributes") or {}
        if self.sar_rule is not None:
            answer = self.sar_rule(spec)
            allowed, reason = answer if isinstance(answer, tuple) else (answer, "")
        else:
            allowed = not self.is_forbidden(
                user=str(spec.get("user") or ""),
                groups=list(spec.get("groups") or []),
                attrs=Attributes(
                    verb=str(attrs.get("verb") or ""),
                    group=str(attrs.get("group") or ""),
                    resource=str(attrs.get("resource") or ""),
                    namespace=str(attrs.get("namespace") or ""),
                    name=str(attrs.get("name") or ""),
                    subresource=str(attrs.get("subresource") or ""),
                ),
            )
            reason = "" if allowed else "forbidden by a rule of the fake cluster"
        status: dict[str, Any] = {"allowed": bool(allowed)}
        if reason:
            status["reason"] = reason
        if not allowed:
            status["denied"] = True
        kind = "SelfSubjectAccessReview" if self_review else "SubjectAccessReview"
        return {
            "kind": kind,
            "apiVersion": "authorization.k8s.io/v1",
            "metadata": {"creationTimestamp": None},
            "spec": spec,
            "status": status,
        }
