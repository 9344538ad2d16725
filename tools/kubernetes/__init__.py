"""Kubernetes operations through the official `kubernetes` client.

`kubernetes_operations()` is the one entry point the core calls: it returns
every Kubernetes operation (reads, changes with dry-run previews, diagnosis)
bound to the configured clusters. Nothing in this package imports `bot` or
decides policy; every result is redacted and fits the caller's budget.
"""

from __future__ import annotations

from tools.base import Operation
from tools.kubernetes.access import access_operations
from tools.kubernetes.apply import apply_operations
from tools.kubernetes.client import KubeClients
from tools.kubernetes.clusters import ClusterConfig, ClusterSet
from tools.kubernetes.common import Kube
from tools.kubernetes.deployments import deployment_operations
from tools.kubernetes.diagnose import diagnose_operations
from tools.kubernetes.health import health_operations
from tools.kubernetes.logs import logs_operations
from tools.kubernetes.nodes import node_operations
from tools.kubernetes.objects import object_operations
from tools.kubernetes.read import read_operations
from tools.kubernetes.resources import resources_operations
from tools.kubernetes.rollout import rollout_operations
from tools.kubernetes.services import service_operations
from tools.kubernetes.stacks import stack_operations


def kubernetes_operations(*, clusters: ClusterSet, request_timeout_s: float = 15.0) -> list[Operation]:
    """Every Kubernetes operation, sharing one cache of API clients per (cluster, identity)."""
    kube = Kube(KubeClients(clusters, timeout_s=request_timeout_s))
    return [
        *read_operations(kube),
        *logs_operations(kube),
        *health_operations(kube),
        *resources_operations(kube),
        *diagnose_operations(kube),
        *rollout_operations(kube),
        *deployment_operations(kube),
        *service_operations(kube),
        *object_operations(kube),
        *node_operations(kube),
        *apply_operations(kube),
        *stack_operations(kube),
        *access_operations(kube),
    ]


__all__ = ["ClusterConfig", "ClusterSet", "kubernetes_operations"]
