"""CEL policy rules: admins' own checks on every object a change touches.

A `policy.rules` entry with an `expression` is judged here, when an approval
is filed, over the objects the preview's dry run says the change touches
(`Preview.effects`), one object at a time, with the variables of a Kubernetes
ValidatingAdmissionPolicy: `object` (the object as it will be; null for a
deletion), `oldObject` (as it is now; null for a creation) and `request`
(operation, userInfo, namespace, name, kind). A rule that holds applies its
effect: `deny` refuses with the rule's message, `require_role` needs that role
of the requester and of every approver, `require_approvers` raises how many
distinct people must approve. A rule that cannot be evaluated on an object
refuses the change (fail closed, as a ValidatingAdmissionPolicy with
`failurePolicy: Fail` does).

This module only judges; it never files, runs or stores anything. What the
approver check needs later travels in the approval's binding (`APPROVER_ROLE`).
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Iterable, Mapping

from bot.domain.models import Principal
from bot.gate.policy import Role
from bot.settings.cel import CelError, compile_cel
from bot.settings.policy_settings import PolicyRule
from tools.base import KubeIdentity, ObjectEffect, Safety
from tools.redact import redact_text

# Key in an approval's binding: the lowest role an approver of this change must have.
APPROVER_ROLE = "policy.approver_role"
_OPERATIONS = {"create": "CREATE", "update": "UPDATE", "unchanged": "UPDATE", "delete": "DELETE"}


@dataclasses.dataclass(frozen=True)
class Judgement:
    """What the CEL rules say about one change."""

    refusal: str | None = None  # one sentence; the change is not filed
    approver_role: Role | None = None
    approvers: int = 0  # at least this many distinct approvers (0: no rule asked)
    notes: tuple[str, ...] = ()  # lines for the card: which rules apply and what they need

    @property
    def binding(self) -> dict[str, str]:
        return {APPROVER_ROLE: self.approver_role.value} if self.approver_role is not None else {}


def approver_role_of(binding: Mapping[str, str]) -> Role | None:
    """The role a CEL rule asked of approvers when the change was filed (None: no such rule)."""
    value = binding.get(APPROVER_ROLE)
    return Role(value) if value else None


def _describe(effect: ObjectEffect) -> str:
    where = f" in {effect.namespace}" if effect.namespace else ""
    return f"{effect.kind}/{effect.name}{where}"


def _namespace_of(effect: ObjectEffect) -> str:
    # A namespace is judged by its own name; cluster-scoped objects by "" (only "*" matches).
    if effect.kind == "Namespace":
        return effect.name
    return effect.namespace or ""


def _applies(rule: PolicyRule, effect: ObjectEffect, *, cluster: str | None, safety: Safety) -> bool:
    if rule.safety not in ("*", safety.value):
        return False
    if not fnmatch.fnmatchcase(cluster or "", rule.cluster):
        return False
    if not fnmatch.fnmatchcase(_namespace_of(effect), rule.namespace):
        return False
    if rule.kinds and effect.kind.lower() not in {k.lower() for k in rule.kinds}:
        return False
    return _OPERATIONS.get(effect.action, "UPDATE").lower() in rule.operations


def _request(
    effect: ObjectEffect, *, principal: Principal, identity: KubeIdentity | None, role: Role
) -> dict[str, object]:
    group, _, version = effect.api_version.rpartition("/")
    return {
        "operation": _OPERATIONS.get(effect.action, "UPDATE"),
        "namespace": effect.namespace or "",
        "name": effect.name,
        "kind": {"group": group, "version": version, "kind": effect.kind},
        "userInfo": {
            "username": identity.user if identity else f"{principal.platform}:{principal.user_id}",
            "uid": f"{principal.platform}:{principal.user_id}",
            "groups": list(identity.groups if identity else principal.memberships),
            "extra": {"chatops.role": [role.value]},
        },
    }


def judge_effects(
    rules: Iterable[PolicyRule],
    effects: Iterable[ObjectEffect],
    *,
    principal: Principal,
    identity: KubeIdentity | None,
    role: Role,
    cluster: str | None,
    safety: Safety,
) -> Judgement:
    """Judge every object against every CEL rule; the strictest outcome wins."""
    cel_rules = [(n, r) for n, r in enumerate(rules, start=1) if r.expression is not None]
    if not cel_rules:
        return Judgement()
    approver_role: Role | None = None
    approvers = 0
    notes: list[str] = []
    for effect in effects:
        variables = {
            "object": dict(effect.new) if effect.new is not None else None,
            "oldObject": dict(effect.old) if effect.old is not None else None,
            "request": _request(effect, principal=principal, identity=identity, role=role),
        }
        for number, rule in cel_rules:
            if rule.expression is None or not _applies(rule, effect, cluster=cluster, safety=safety):
                continue
            try:
                holds = compile_cel(rule.expression).evaluate(variables)
            except CelError as e:
                return Judgement(
                    refusal=f"policy rule {number} cannot be checked on {_describe(effect)} "
                    f"({redact_text(str(e))}); nothing was filed. Ask an admin to fix the rule"
                )
            if not holds:
                continue
            message = rule.message or f"policy rule {number}"
            if rule.effect == "deny":
                return Judgement(refusal=f"{message} ({_describe(effect)}, policy rule {number})")
            if rule.effect == "require_role" and rule.role is not None:
                needed = Role(rule.role)
                if role.rank < needed.rank:
                    return Judgement(
                        refusal=f"{message}: {_describe(effect)} needs the {needed.value} role; "
                        f"you are {role.value}"
                    )
                if approver_role is None or needed.rank > approver_role.rank:
                    approver_role = needed
                notes.append(f"Policy: {message} ({_describe(effect)}): approvers must be {needed.value}.")
            elif rule.effect == "require_approvers" and rule.approvers is not None:
                approvers = max(approvers, rule.approvers)
                notes.append(f"Policy: {message} ({_describe(effect)}): needs {rule.approvers} approver(s).")
    return Judgement(approver_role=approver_role, approvers=approvers, notes=tuple(notes))
