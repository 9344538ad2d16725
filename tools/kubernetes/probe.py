"""Is a cluster reachable, which version does it run, and do the bot's credentials work?

Used by `chatops check`, `chatops cluster add` and `!clusters`. Reads
`/version` (open to anyone on most clusters) and then a SelfSubjectAccessReview
(which needs valid credentials). Never raises: it answers with a sentence.
"""

from __future__ import annotations

import dataclasses

from tools.kubernetes.client import KubeClients
from tools.kubernetes.clusters import ClusterConfig, ClusterSet
from tools.kubernetes.errors import ApiError, KubeError


@dataclasses.dataclass(frozen=True)
class ClusterProbe:
    name: str
    reachable: bool
    version: str | None
    credentials_ok: bool | None
    text: str


async def probe(cluster: ClusterConfig, *, timeout_s: float = 10.0) -> ClusterProbe:
    clients = KubeClients(ClusterSet([cluster]), timeout_s=timeout_s)
    try:
        client = await clients.client(cluster, None)
        try:
            info = await client.json("GET", "/version")
        except ApiError as error:
            if error.status not in (401, 403):
                raise
            info = {}
        version = str(info.get("gitVersion") or "") or None
        review = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {"resourceAttributes": {"verb": "list", "resource": "namespaces"}},
        }
        try:
            await client.json("POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body=review)
            credentials_ok = True
        except ApiError as error:
            # 403 means authenticated but not allowed to ask; only 401 means bad credentials.
            credentials_ok = error.status != 401
        where = client.server
    except KubeError as error:
        return ClusterProbe(cluster.name, False, None, None, str(error))
    finally:
        clients.close()
    creds = (
        "credentials work" if credentials_ok else "credentials REJECTED (401): renew them in the kubeconfig"
    )
    return ClusterProbe(
        cluster.name,
        True,
        version,
        credentials_ok,
        f"reachable at {where}, Kubernetes {version or '?'}; {creds}",
    )


async def probe_cluster(cluster: ClusterConfig, *, timeout_s: float = 10.0) -> tuple[bool, str]:
    result = await probe(cluster, timeout_s=timeout_s)
    return result.reachable and result.credentials_ok is not False, result.text
