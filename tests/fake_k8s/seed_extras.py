"""The rest of the demo cluster: networking, batch, storage, config and secrets.

Split from `seed.py` to keep each module small; called only by `seed_demo()`.
Builds and stores objects; holds no logic of its own.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from tests.fake_k8s import builders as b
from tests.fake_k8s import planted
from tests.fake_k8s.podstatus import ago

if TYPE_CHECKING:
    from tests.fake_k8s.server import FakeKubernetes


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def seed_network(fake: FakeKubernetes) -> None:
    fake.add(b.service("kubernetes", "default", selector={}, port=443, target_port=6443))
    fake.add(b.service("web", "prod", selector={"app": "web"}, port=80, target_port=80))
    fake.add(b.service("api", "prod", selector={"app": "api"}, port=8080, target_port=8080))
    fake.add(
        b.service("web-public", "prod", selector={"app": "web"}, port=80, target_port=80, kind="LoadBalancer")
    )
    fake.add(
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": "web", "namespace": "prod", "labels": {"app": "web"}},
            "spec": {
                "ingressClassName": "nginx",
                "rules": [
                    {
                        "host": "web.example.com",
                        "http": {
                            "paths": [
                                {
                                    "path": "/",
                                    "pathType": "Prefix",
                                    "backend": {"service": {"name": "web", "port": {"number": 80}}},
                                }
                            ]
                        },
                    }
                ],
            },
            "status": {"loadBalancer": {"ingress": [{"ip": "203.0.113.20"}]}},
        }
    )


def _job_template(name: str) -> dict[str, Any]:
    return {
        "metadata": {"labels": {"job-name": name}},
        "spec": {
            "restartPolicy": "OnFailure",
            "containers": [b.container("report", "ghcr.io/example/report:0.9")],
        },
    }


def seed_batch_and_storage(fake: FakeKubernetes) -> None:
    cronjob = fake.add(
        {
            "apiVersion": "batch/v1",
            "kind": "CronJob",
            "metadata": {"name": "nightly-report", "namespace": "prod"},
            "spec": {
                "schedule": "0 2 * * *",
                "concurrencyPolicy": "Forbid",
                "suspend": False,
                "successfulJobsHistoryLimit": 3,
                "failedJobsHistoryLimit": 1,
                "jobTemplate": {"spec": {"backoffLimit": 2, "template": _job_template("nightly-report")}},
            },
            "status": {"lastScheduleTime": ago(3600), "lastSuccessfulTime": ago(3500)},
        }
    )
    owner = {
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "name": "nightly-report",
        "uid": cronjob["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }
    fake.add(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "nightly-report-28912345", "namespace": "prod", "ownerReferences": [owner]},
            "spec": {
                "backoffLimit": 2,
                "completions": 1,
                "parallelism": 1,
                "template": _job_template("nightly-report-28912345"),
            },
            "status": {
                "succeeded": 1,
                "startTime": ago(3600),
                "completionTime": ago(3500),
                "conditions": [
                    {
                        "type": "Complete",
                        "status": "True",
                        "lastProbeTime": ago(3500),
                        "lastTransitionTime": ago(3500),
                    }
                ],
            },
        }
    )
    redis = b.container("redis", "redis:7.2", port=6379)
    redis["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    fake.add(
        {
            "apiVersion": "apps/v1",
            "kind": "StatefulSet",
            "metadata": {"name": "redis", "namespace": "prod", "labels": {"app": "redis"}},
            "spec": {
                "replicas": 1,
                "serviceName": "redis",
                "selector": {"matchLabels": {"app": "redis"}},
                "template": {"metadata": {"labels": {"app": "redis"}}, "spec": {"containers": [redis]}},
                "volumeClaimTemplates": [
                    {
                        "metadata": {"name": "data"},
                        "spec": {
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": "1Gi"}},
                        },
                    }
                ],
            },
        },
        reconcile=True,
    )
    fake.add(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data-redis-0", "namespace": "prod", "labels": {"app": "redis"}},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
                "storageClassName": "standard",
                "volumeName": "pvc-0b7c5e1a",
                "volumeMode": "Filesystem",
            },
            "status": {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}},
        }
    )
    exporter = b.container("node-exporter", "quay.io/prometheus/node-exporter:v1.8.2", port=9100)
    fake.add(
        {
            "apiVersion": "apps/v1",
            "kind": "DaemonSet",
            "metadata": {
                "name": "node-exporter",
                "namespace": "kube-system",
                "labels": {"app": "node-exporter"},
            },
            "spec": {
                "selector": {"matchLabels": {"app": "node-exporter"}},
                "template": {
                    "metadata": {"labels": {"app": "node-exporter"}},
                    "spec": {"containers": [exporter]},
                },
            },
            "status": {
                "currentNumberScheduled": 2,
                "desiredNumberScheduled": 2,
                "numberMisscheduled": 0,
                "numberReady": 1,
                "numberAvailable": 1,
                "numberUnavailable": 1,
                "updatedNumberScheduled": 2,
                "observedGeneration": 1,
            },
        }
    )


def seed_config_and_secrets(fake: FakeKubernetes) -> None:
    configmaps = {
        "web-config": {"nginx.conf": "server { listen 80; location / { root /usr/share/nginx/html; } }"},
        "api-config": {"LOG_LEVEL": "info", "DB_HOST": "db.prod.svc"},
        "legacy-kubeconfig": {"config": planted.KUBECONFIG_YAML},
    }
    for name, data in configmaps.items():
        fake.add(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": name, "namespace": "prod"},
                "data": data,
            }
        )
    fake.add(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "db-credentials", "namespace": "prod", "labels": {"app": "api"}},
            "type": "Opaque",
            "data": {
                "username": _b64("api"),
                "password": planted.DB_PASSWORD_B64,
                "api-token": planted.API_TOKEN_B64,
            },
            "stringData": {"extra": planted.STRING_DATA_VALUE},
        }
    )
    fake.add(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "web-tls", "namespace": "prod"},
            "type": "kubernetes.io/tls",
            "data": {
                "tls.crt": _b64("-----BEGIN CERTIFICATE-----\nMIIB\n"),
                "tls.key": planted.DB_PASSWORD_B64,
            },
        }
    )
