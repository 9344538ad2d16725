"""What `!help` adds about Kubernetes permissions: which commands would be refused here.

It runs the `k8s_access` read through the gate (so policy, the audit trail
and the requester's mapped identity apply as for any read) for the channel's
cluster and namespace, and turns its answer into marks on the help table and one
sentence. When the operation is missing, refused by policy, or the cluster does
not answer, help is shown without the hint; it never fails because of it.
"""

from __future__ import annotations

import dataclasses

from bot.domain.outcomes import RequestContext
from bot.gate.ports import OperationGateway
from tools.helm import permissions as helm_permissions
from tools.kubernetes import permissions as kube_permissions
from tools.kubernetes.permissions import Needs
from tools.registry import Registry

ACCESS_OPERATION = "k8s_access"
NOT_PERMITTED = "not permitted for you here"
PARTLY = "some kinds not permitted here"


@dataclasses.dataclass(frozen=True)
class AccessHint:
    refused: frozenset[str]
    partly: frozenset[str]
    text: str

    def mark(self, operation: str) -> str:
        if operation in self.refused:
            return f" ({NOT_PERMITTED})"
        if operation in self.partly:
            return f" ({PARTLY})"
        return ""


async def access_hint(
    registry: Registry, gateway: OperationGateway, ctx: RequestContext
) -> AccessHint | None:
    if registry.get(ACCESS_OPERATION) is None:
        return None
    outcome = await gateway.submit(ACCESS_OPERATION, {}, ctx, file_approvals=False)
    result = outcome.result
    if result is None or not result.ok or not result.data:
        return None
    refused = frozenset(str(name) for name in result.data.get("refused") or ())
    partly = frozenset(str(name) for name in result.data.get("partly") or ())
    if not refused and not partly:
        return AccessHint(refused, partly, result.text.splitlines()[0])
    text = (
        f"{result.text.splitlines()[0]} Commands marked below would be refused; "
        "`!access` names the permission each one lacks."
    )
    return AccessHint(refused, partly, text)


def permissions_line(operation: str) -> str | None:
    """`!help <command>`'s line on the Kubernetes permissions the operation needs, if any."""
    variants = kube_permissions.variants(operation)
    if variants:
        parts = []
        for variant in variants:
            needs = kube_permissions.needs_for(operation, variant)
            if needs is not None and needs.rules:
                parts.append(f"{variant}: {_rules(needs)}")
        return "Kubernetes permissions, by kind: " + "; ".join(parts) if parts else None
    found = kube_permissions.needs_for(operation) or helm_permissions.PERMISSIONS.get(operation)
    if found is None or not found.rules:
        return None
    note = f" ({found.note})" if found.note else ""
    return f"Kubernetes permissions: {_rules(found)}{note}"


def _rules(needs: Needs) -> str:
    return ", ".join(rule.describe() for rule in needs.rules)
