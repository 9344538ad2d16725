"""Constructors of realistic API objects for seeding the fake cluster.

Each returns a plain dict shaped like what the API server returns, with the
fields the client's strict models require. They only build dicts; storing
them (and giving them uid, resourceVersion, timestamps) is the store's job.
"""

from __future__ import annotations

import hashlib
from typing import Any

from tests.fake_k8s.podstatus import ago

Obj = dict[str, Any]


def namespace(name: str) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def node(name: str, *, ready: bool, reason: str = "", memory_pressure: bool = False, ip: str) -> Obj:
    def condition(kind: str, status: bool, why: str, message: str) -> Obj:
        return {
            "type": kind,
            "status": "True" if status else "False",
            "reason": why,
            "message": message,
            "lastHeartbeatTime": ago(30),
            "lastTransitionTime": ago(7200),
        }

    ready_condition = (
        condition("Ready", True, "KubeletReady", "kubelet is posting ready status")
        if ready
        else {
            **condition("Ready", False, reason or "KubeletNotReady", "Kubelet stopped posting node status."),
            "status": "Unknown" if reason == "NodeStatusUnknown" else "False",
        }
    )
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "node-role.kubernetes.io/worker": "",
            },
        },
        "spec": {"podCIDR": "10.244.0.0/24", "podCIDRs": ["10.244.0.0/24"]},
        "status": {
            "capacity": {"cpu": "4", "memory": "8141904Ki", "pods": "110", "ephemeral-storage": "61255492Ki"},
            "allocatable": {
                "cpu": "4",
                "memory": "8039504Ki",
                "pods": "110",
                "ephemeral-storage": "56453061Ki",
            },
            "conditions": [
                condition(
                    "MemoryPressure",
                    memory_pressure,
                    "KubeletHasInsufficientMemory" if memory_pressure else "KubeletHasSufficientMemory",
                    "kubelet has insufficient memory available"
                    if memory_pressure
                    else "kubelet has sufficient memory available",
                ),
                condition("DiskPressure", False, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                condition(
                    "PIDPressure", False, "KubeletHasSufficientPID", "kubelet has sufficient PID available"
                ),
                ready_condition,
            ],
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": f"boot-{name}",
                "containerRuntimeVersion": "containerd://1.7.22",
                "kernelVersion": "6.8.0-45-generic",
                "kubeProxyVersion": "v1.31.2",
                "kubeletVersion": "v1.31.2",
                "machineID": f"machine-{name}",
                "operatingSystem": "linux",
                "osImage": "Ubuntu 22.04.5 LTS",
                "systemUUID": f"uuid-{name}",
            },
        },
    }


def container(
    name: str,
    image: str,
    *,
    port: int | None = None,
    env: list[Obj] | None = None,
    readiness_path: str | None = None,
    memory_limit: str = "256Mi",
    env_from: list[Obj] | None = None,
) -> Obj:
    spec: Obj = {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "resources": {
            "requests": {"cpu": "100m", "memory": "128Mi"},
            "limits": {"cpu": "500m", "memory": memory_limit},
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    }
    if port is not None:
        spec["ports"] = [{"containerPort": port, "protocol": "TCP", "name": "http"}]
    if env:
        spec["env"] = env
    if env_from:
        spec["envFrom"] = env_from
    if readiness_path and port is not None:
        spec["readinessProbe"] = {
            "httpGet": {"path": readiness_path, "port": port, "scheme": "HTTP"},
            "periodSeconds": 10,
            "timeoutSeconds": 1,
            "successThreshold": 1,
            "failureThreshold": 3,
        }
    return spec


def deployment(name: str, ns: str, *, replicas: int, containers: list[Obj], labels: Obj | None = None) -> Obj:
    selector = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {**selector, **(labels or {})}},
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": selector},
            "strategy": {
                "type": "RollingUpdate",
                "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"},
            },
            "template": {"metadata": {"labels": selector}, "spec": {"containers": containers}},
        },
    }


def pod(name: str, ns: str, *, containers: list[Obj], labels: Obj, node_name: str | None, status: Obj) -> Obj:
    spec: Obj = {
        "containers": containers,
        "restartPolicy": "Always",
        "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
    }
    if node_name:
        spec["nodeName"] = node_name
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": spec,
        "status": status,
    }


def service(
    name: str, ns: str, *, selector: Obj, port: int, target_port: int, kind: str = "ClusterIP"
) -> Obj:
    port_spec: Obj = {"name": "http", "port": port, "targetPort": target_port, "protocol": "TCP"}
    if kind in ("NodePort", "LoadBalancer"):
        port_spec["nodePort"] = 30000 + port % 2000
    status: Obj = {"loadBalancer": {}}
    if kind == "LoadBalancer":
        status = {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {
            "type": kind,
            "selector": selector,
            "ports": [port_spec],
            "clusterIP": f"10.96.{len(name)}.{port % 250}",
            "clusterIPs": [f"10.96.{len(name)}.{port % 250}"],
            "sessionAffinity": "None",
            "ipFamilies": ["IPv4"],
            "ipFamilyPolicy": "SingleStack",
        },
        "status": status,
    }


def event(
    ns: str,
    *,
    kind: str,
    name: str,
    reason: str,
    message: str,
    warning: bool = True,
    count: int = 1,
    component: str = "kubelet",
    seconds_ago: int = 60,
) -> Obj:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{name}.{_digest(name, reason, message)}", "namespace": ns},
        "involvedObject": {"kind": kind, "namespace": ns, "name": name, "apiVersion": "v1"},
        "reason": reason,
        "message": message,
        "type": "Warning" if warning else "Normal",
        "count": count,
        "firstTimestamp": ago(seconds_ago + 600),
        "lastTimestamp": ago(seconds_ago),
        "source": {"component": component},
        "reportingComponent": component,
        "reportingInstance": "",
    }


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:16]
