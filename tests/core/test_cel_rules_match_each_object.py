"""Which objects a CEL rule looks at (kinds, operations, each object's own namespace), what it
sees (`object`, `oldObject`, `request`), and that a rule failing on an object refuses the change."""

from __future__ import annotations

from typing import Any

from bot.domain.models import Principal
from bot.gate.cel_rules import judge_effects
from bot.gate.policy import Role
from bot.settings.config import parse_settings
from tools.base import KubeIdentity, ObjectEffect, Safety

ALICE = Principal("slack", "UALICE", "Alice", memberships=("slack:group:S1",))


def judge(rule: dict[str, Any], *effects: ObjectEffect, role: Role = Role.OPERATOR) -> Any:
    rules = parse_settings({"policy": {"rules": [rule]}}).policy.rules
    return judge_effects(
        rules,
        effects,
        principal=ALICE,
        identity=KubeIdentity("alice@example.com", ("sre",)),
        role=role,
        cluster="prod-eu",
        safety=Safety.WRITE,
    )


def cm(name: str, namespace: str | None, action: str = "update", **data: str) -> ObjectEffect:
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": data}
    return ObjectEffect(
        action=action,
        api_version="v1",
        kind="ConfigMap",
        name=name,
        namespace=namespace,
        old=None if action == "create" else body,
        new=None if action == "delete" else body,
    )


def deny(expression: str, **extra: Any) -> dict[str, Any]:
    return {"expression": expression, "effect": "deny", "message": "no", **extra}


def test_each_object_is_judged_in_its_own_namespace() -> None:
    rule = deny("true", namespace="kube-*")
    assert judge(rule, cm("a", "default")).refusal is None
    refused = judge(rule, cm("a", "default"), cm("b", "kube-system"))
    assert refused.refusal == "no (ConfigMap/b in kube-system, policy rule 1)"


def test_a_namespace_is_judged_by_its_own_name() -> None:
    namespace = ObjectEffect(
        action="delete", api_version="v1", kind="Namespace", name="kube-system", namespace=None, old={}
    )
    assert judge(deny("true", namespace="kube-*", operations=["delete"]), namespace).refusal


def test_kinds_and_operations_narrow_a_rule() -> None:
    assert judge(deny("true", kinds=["Deployment"]), cm("a", "x")).refusal is None
    assert judge(deny("true", kinds=["configmap"]), cm("a", "x")).refusal  # kinds ignore case
    assert judge(deny("true"), cm("a", "x", action="delete")).refusal is None  # default: create, update
    assert judge(deny("oldObject != null", operations=["delete"]), cm("a", "x", action="delete")).refusal


def test_request_carries_operation_kind_and_the_requester() -> None:
    expression = (
        "request.operation == 'CREATE' && request.kind.kind == 'ConfigMap' && request.kind.version == 'v1' "
        "&& request.userInfo.username == 'alice@example.com' && 'sre' in request.userInfo.groups "
        "&& request.userInfo.extra['chatops.role'][0] == 'operator' && request.namespace == 'x' "
        "&& oldObject == null && object.data.MODE == 'blue'"
    )
    assert judge(deny(expression), cm("a", "x", action="create", MODE="blue")).refusal
    assert judge(deny(expression), cm("a", "x", action="create", MODE="green")).refusal is None


def test_a_rule_that_fails_on_an_object_refuses_the_change() -> None:
    refused = judge(deny("object.spec.replicas == 0"), cm("a", "x"))
    assert refused.refusal is not None
    assert "policy rule 1 cannot be checked on ConfigMap/a in x" in refused.refusal
    assert "no such member" in refused.refusal and "Traceback" not in refused.refusal


def test_the_strictest_role_and_the_most_approvers_win() -> None:
    rules = [
        {"expression": "true", "effect": "require_role", "role": "operator", "message": "ops"},
        {"expression": "true", "effect": "require_role", "role": "admin", "message": "admins"},
        {"expression": "true", "effect": "require_approvers", "approvers": 3, "message": "three"},
        {"expression": "true", "effect": "require_approvers", "approvers": 2, "message": "two"},
    ]
    parsed = parse_settings({"policy": {"rules": rules}}).policy.rules
    judged = judge_effects(
        parsed,
        (cm("a", "x"),),
        principal=ALICE,
        identity=None,
        role=Role.ADMIN,
        cluster=None,
        safety=Safety.WRITE,
    )
    assert judged.refusal is None and judged.approver_role is Role.ADMIN and judged.approvers == 3
    assert judged.binding == {"policy.approver_role": "admin"}
    short = judge({**rules[1]}, cm("a", "x"), role=Role.OPERATOR)
    assert short.refusal == "admins: ConfigMap/a in x needs the admin role; you are operator"
