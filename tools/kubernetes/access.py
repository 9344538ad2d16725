"""`k8s_access`: which operations the current credentials cannot perform, before anyone tries.

One SelfSubjectRulesReview (every authenticated user may create one) for the
cluster and namespace, made as the requester's mapped identity when there is
one, judged against the operations' permission tables (tools/rbac.py). `!help`
and `chatops check` use it so a 403 never comes as a surprise. A cluster whose
authorizer cannot list rules (webhooks) says so: its answer is a lower bound.
Nothing here changes the cluster or decides policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tools.base import (
    CommandSpec,
    NamespacedArgs,
    Operation,
    OperationResult,
    RunContext,
    Safety,
    Status,
    Table,
)
from tools.kubernetes.client import KubeClient, KubeClients
from tools.kubernetes.clusters import ClusterConfig, ClusterSet
from tools.kubernetes.common import Kube, guard
from tools.kubernetes.errors import KubeError
from tools.kubernetes.permissions import DEFAULT_GRANTED, ApiRule, Needs

RULES_REVIEW_PATH = "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews"
Grant = tuple[str, str, str]


@dataclasses.dataclass(frozen=True)
class Refused:
    """An operation (with the argument value its calls depend on) and the rules it lacks."""

    operation: str
    variant: str | None
    missing: tuple[ApiRule, ...]

    def label(self) -> str:
        return f"{self.operation} {self.variant}" if self.variant else self.operation


@dataclasses.dataclass(frozen=True)
class AccessReport:
    namespace: str
    refused: tuple[Refused, ...]
    checked: int
    incomplete: bool

    def refused_operations(self) -> set[str]:
        return {r.operation for r in self.refused}

    def wholly_refused(self, variants: Mapping[str, int]) -> set[str]:
        """Operations refused for every argument value (`variants`: how many each has)."""
        counts: dict[str, int] = {}
        for r in self.refused:
            counts[r.operation] = counts.get(r.operation, 0) + 1
        return {op for op, n in counts.items() if n >= variants.get(op, 1)}


def _allows(rule: Mapping[str, Any], grant: Grant) -> bool:
    if rule.get("resourceNames"):
        return False  # a rule for named objects does not cover the operation in general
    group, resource, verb = grant

    def has(field: str, value: str) -> bool:
        values = rule.get(field) or []
        return "*" in values or value in values

    return has("apiGroups", group) and has("resources", resource) and has("verbs", verb)


def judge(
    rules: Sequence[Mapping[str, Any]], claims: Iterable[tuple[str, str | None, Needs]]
) -> tuple[tuple[Refused, ...], int]:
    """The claims these rules do not cover, and how many claims were judged."""
    refused, checked = [], 0
    for operation, variant, needs in claims:
        checked += 1
        missing = tuple(
            ApiRule(group, resource, (verb,))
            for group, resource, verb in sorted(needs.grants() - DEFAULT_GRANTED)
            if not any(_allows(rule, (group, resource, verb)) for rule in rules)
        )
        if missing:
            refused.append(Refused(operation, variant, missing))
    return tuple(refused), checked


async def review_access(client: KubeClient, namespace: str) -> AccessReport:
    from tools.rbac import every_claim  # the tables of every tool family

    body = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectRulesReview",
        "spec": {"namespace": namespace},
    }
    answer = await client.json("POST", RULES_REVIEW_PATH, body=body)
    status = answer.get("status") or {}
    claims = [(claim.operation, claim.variant, needs) for claim, needs in every_claim()]
    refused, checked = judge(list(status.get("resourceRules") or []), claims)
    return AccessReport(namespace, refused, checked, bool(status.get("incomplete")))


def describe(report: AccessReport, *, who: str, cluster: str) -> str:
    where = f"{cluster} / {report.namespace}"
    if not report.refused:
        text = f"{who} may perform all {report.checked} cluster operations in {where}."
    else:
        text = (
            f"{who} cannot perform {len(report.refused)} of {report.checked} cluster operations in "
            f"{where}; each is refused with the permission it lacks."
        )
    if report.incomplete:
        text += " The cluster's answer is incomplete (another authorizer may allow more)."
    return text


def _data(report: AccessReport) -> dict[str, Any]:
    from tools.rbac import every_claim

    variants: dict[str, int] = {}
    for claim, _ in every_claim():
        variants[claim.operation] = variants.get(claim.operation, 0) + 1
    wholly = report.wholly_refused(variants)
    return {
        "refused": sorted(wholly),
        "partly": sorted(report.refused_operations() - wholly),
        "checked": report.checked,
    }


async def cluster_access(cluster: ClusterConfig, *, timeout_s: float = 10.0) -> str:
    """For `chatops check`: what the bot's own credentials cannot do in the default namespace."""
    clients = KubeClients(ClusterSet([cluster]), timeout_s=timeout_s)
    try:
        client = await clients.client(cluster, None)
        report = await review_access(client, cluster.default_namespace)
    except KubeError as error:
        return f"could not list the credentials' rules: {error}"
    finally:
        clients.close()
    text = describe(report, who="the bot's own credentials", cluster=cluster.name)
    data = _data(report)
    if data["refused"]:
        text += " Refused: " + ", ".join(data["refused"]) + "."
    if data["partly"]:
        text += " Partly (some kinds or stacks): " + ", ".join(data["partly"]) + "."
    return text


def access_operations(kube: Kube) -> list[Operation]:
    @guard
    async def access(args: NamespacedArgs, ctx: RunContext) -> OperationResult:
        scope = await kube.scope(args, ctx)
        assert scope.namespace is not None
        report = await review_access(scope.client, scope.namespace)
        who = f"Kubernetes user {ctx.identity.user}" if ctx.identity else "The bot's own credentials"
        rows = tuple((r.label(), ", ".join(m.describe() for m in r.missing)) for r in report.refused)
        return OperationResult(
            status=Status.OK,
            text=describe(report, who=who, cluster=scope.cluster),
            data=_data(report),
            table=Table(("operation", "missing permission"), rows) if rows else None,
        )

    return [
        Operation(
            name="k8s_access",
            description="Which operations the current Kubernetes credentials cannot perform here, and why.",
            safety=Safety.READ,
            args_model=NamespacedArgs,
            run=access,
            command=CommandSpec(words=("access",), aliases={"-n": "namespace"}),
        )
    ]
