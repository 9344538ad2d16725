"""The `authorize` hook: a SubjectAccessReview for the requester's identity.

Before the core files an approval for a change, it asks whether the mapped
Kubernetes identity may make that change at all; a refusal names the missing
verb, resource and namespace. The review is created with the bot's own
credentials (an impersonated user usually may not create reviews). With no
identity there is nothing to check, and the hook says nothing.
"""

from __future__ import annotations

from typing import Any

from tools.base import AuthorizeFn, RunContext
from tools.kubernetes.common import Kube
from tools.kubernetes.errors import KubeError
from tools.kubernetes.kinds import ResourceKind

SAR_PATH = "/apis/authorization.k8s.io/v1/subjectaccessreviews"


async def review(
    kube: Kube,
    ctx: RunContext,
    *,
    cluster_name: str | None,
    verb: str,
    kind: ResourceKind,
    namespace: str | None,
    name: str | None = None,
    subresource: str | None = None,
) -> str | None:
    """None when `ctx.identity` may do this, else the refusal sentence."""
    identity = ctx.identity
    if identity is None:
        return None
    try:
        cluster = kube.clients.cluster(cluster_name)
        client = await kube.clients.client(cluster, None)
    except KubeError as error:
        return str(error)
    namespace = (namespace or cluster.default_namespace) if kind.namespaced else None
    attributes = {
        k: v
        for k, v in {
            "verb": verb,
            "group": kind.group,
            "resource": kind.plural,
            "subresource": subresource,
            "namespace": namespace,
            "name": name,
        }.items()
        if v is not None
    }
    body = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SubjectAccessReview",
        "spec": {"user": identity.user, "groups": list(identity.groups), "resourceAttributes": attributes},
    }
    try:
        answer = await client.json("POST", SAR_PATH, body=body)
    except KubeError as error:
        return f"could not check {identity.user}'s permissions on cluster {cluster.name}: {error}"
    if (answer.get("status") or {}).get("allowed"):
        return None
    where = f" in {namespace}" if namespace else " cluster-wide"
    resource = f"{kind.plural}/{subresource}" if subresource else kind.plural
    return f"{identity.user} may not {verb} {resource}{where} (RBAC): ask a cluster admin for that permission"


def sar_hook(kube: Kube, *, verb: str, kind: ResourceKind, subresource: str | None = None) -> AuthorizeFn:
    async def authorize(args: Any, ctx: RunContext) -> str | None:
        name = getattr(args, "name", None)
        return await review(
            kube,
            ctx,
            cluster_name=args.cluster,
            verb=verb,
            kind=kind,
            namespace=getattr(args, "namespace", None),
            name=name if isinstance(name, str) else None,
            subresource=subresource,
        )

    return authorize
