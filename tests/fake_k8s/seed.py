"""The demo cluster and the many-pods cluster the tests and the benchmark start from.

`seed_demo(fake)`: namespaces default / prod / kube-system; node-1 Ready,
node-2 NotReady with MemoryPressure; in prod the healthy deployment `web`
(nginx, 2 replicas), the crash-looping deployment `api`, and single pods in
every state the diagnosis must name (`worker-imagepull`, `batch-oom`,
`analytics-pending`, `frontend-unready`, `reporter-missing-config`), with
their events and logs; services, an ingress, a cronjob and its job, the
statefulset `redis` with its PVC, a daemonset, configmaps, secrets, and the
planted secret values of `planted.py`.
`seed_many_pods(fake, n, unhealthy_every=k)`: n pods in namespace `load`,
every k-th one crash-looping, stored compactly (shared read-only spec and
status dicts). Only seeds; never serves requests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.fake_k8s import builders as b
from tests.fake_k8s import planted
from tests.fake_k8s.podstatus import PodMode, ago, pod_status
from tests.fake_k8s.resources import resource_for_kind
from tests.fake_k8s.seed_extras import seed_batch_and_storage, seed_config_and_secrets, seed_network

if TYPE_CHECKING:
    from tests.fake_k8s.server import FakeKubernetes

PROBLEM_PODS = (
    "worker-imagepull",
    "batch-oom",
    "analytics-pending",
    "frontend-unready",
    "reporter-missing-config",
)


def seed_demo(fake: FakeKubernetes) -> None:
    for name in ("default", "prod", "kube-system"):
        fake.add(b.namespace(name))
    fake.add(b.node("node-1", ready=True, ip="192.168.49.2"))
    fake.add(b.node("node-2", ready=False, reason="KubeletNotReady", memory_pressure=True, ip="192.168.49.3"))
    _seed_deployments(fake)
    _seed_problem_pods(fake)
    seed_network(fake)
    seed_batch_and_storage(fake)
    seed_config_and_secrets(fake)


def _seed_deployments(fake: FakeKubernetes) -> None:
    web = b.container("nginx", "nginx:1.25.3", port=80, readiness_path="/")
    fake.add(b.deployment("web", "prod", replicas=2, containers=[web]), reconcile=True)
    api = b.container(
        "api",
        "ghcr.io/example/api:1.4.2",
        port=8080,
        env=[
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "AWS_ACCESS_KEY_ID", "value": planted.AWS_ACCESS_KEY_ID},
            {"name": "AWS_SECRET_ACCESS_KEY", "value": planted.AWS_SECRET_ACCESS_KEY},
            {
                "name": "DB_PASSWORD",
                "valueFrom": {"secretKeyRef": {"name": "db-credentials", "key": "password"}},
            },
        ],
    )
    fake.pod_modes[("prod", "api")] = "crashloop"
    fake.add(b.deployment("api", "prod", replicas=2, containers=[api]), reconcile=True)
    coredns = b.container("coredns", "registry.k8s.io/coredns/coredns:v1.11.3", port=53)
    fake.add(b.deployment("coredns", "kube-system", replicas=2, containers=[coredns]), reconcile=True)
    for pod in fake.objects("Pod", "prod"):
        name = pod["metadata"]["name"]
        if name.startswith("web-"):
            fake.logs.add("prod", name, _nginx_lines(), container="nginx")
        elif name.startswith("api-"):
            fake.logs.add("prod", name, _api_lines(), container="api", previous=True, ends_ago_s=125)
            fake.logs.add("prod", name, _api_lines()[:3], container="api")
    fake.add(
        b.event(
            "prod",
            kind="Pod",
            name=_first("api", fake),
            reason="BackOff",
            count=42,
            message="Back-off restarting failed container api in pod " + _first("api", fake),
        )
    )
    fake.add(
        b.event(
            "prod",
            kind="Deployment",
            name="web",
            reason="ScalingReplicaSet",
            warning=False,
            component="deployment-controller",
            message="Scaled up replica set web to 2",
        )
    )


def _first(prefix: str, fake: FakeKubernetes) -> str:
    return next(
        str(p["metadata"]["name"])
        for p in fake.objects("Pod", "prod")
        if p["metadata"]["name"].startswith(prefix)
    )


def _nginx_lines() -> list[str]:
    return [
        f'10.244.1.1 - - "GET /healthz HTTP/1.1" 200 2 "-" "kube-probe/1.31" request={i}' for i in range(300)
    ]


def _api_lines() -> list[str]:
    return [
        "starting api 1.4.2",
        f"loaded auth token {planted.JWT}",
        "-----BEGIN RSA PRIVATE KEY-----",
        planted.PEM_BODY,
        "-----END RSA PRIVATE KEY-----",
        "connecting to postgres at db.prod.svc:5432",
        "panic: failed to connect to database: connection refused",
        "goroutine 1 [running]:",
        "main.main()",
        "exit status 1",
    ]


def _problem_pod(
    fake: FakeKubernetes, name: str, *, mode: PodMode, image: str, restarts: int = 0, **kwargs: object
) -> None:
    container = b.container(
        name.split("-")[0],
        image,
        port=8080,
        readiness_path="/ready",
        memory_limit="64Mi" if mode == "oomkilled" else "256Mi",
    )
    if mode == "configerror":
        container["envFrom"] = [{"configMapRef": {"name": "reporter-config"}}]
    if mode == "pending":
        container["resources"] = {"requests": {"cpu": "100m", "memory": "64Gi"}}
    status = pod_status({"containers": [container]}, mode=mode, restarts=restarts, **kwargs)  # type: ignore[arg-type]
    node = None if mode == "pending" else "node-1"
    fake.add(
        b.pod(
            name,
            "prod",
            containers=[container],
            labels={"app": name.split("-")[0]},
            node_name=node,
            status=status,
        )
    )


def _seed_problem_pods(fake: FakeKubernetes) -> None:
    _problem_pod(
        fake, "worker-imagepull", mode="imagepull", image="registry.example.com/worker:9.9.9-missing"
    )
    _problem_pod(fake, "batch-oom", mode="oomkilled", image="ghcr.io/example/batch:2.0", restarts=3)
    _problem_pod(fake, "analytics-pending", mode="pending", image="ghcr.io/example/analytics:1.0")
    _problem_pod(fake, "frontend-unready", mode="unready", image="ghcr.io/example/frontend:3.1")
    _problem_pod(
        fake,
        "reporter-missing-config",
        mode="configerror",
        image="ghcr.io/example/reporter:1.2",
        missing_config="reporter-config",
    )
    events = [
        (
            "worker-imagepull",
            "Failed",
            'Failed to pull image "registry.example.com/worker:9.9.9-missing": '
            "rpc error: code = NotFound desc = failed to pull and unpack image: not found",
            "kubelet",
        ),
        (
            "worker-imagepull",
            "BackOff",
            'Back-off pulling image "registry.example.com/worker:9.9.9-missing"',
            "kubelet",
        ),
        ("batch-oom", "BackOff", "Back-off restarting failed container batch in pod batch-oom", "kubelet"),
        (
            "analytics-pending",
            "FailedScheduling",
            "0/2 nodes are available: 1 Insufficient memory, 1 node(s) had "
            "untolerated taint {node.kubernetes.io/not-ready: }. preemption: 0/2 nodes are available.",
            "default-scheduler",
        ),
        (
            "frontend-unready",
            "Unhealthy",
            "Readiness probe failed: HTTP probe failed with statuscode: 503",
            "kubelet",
        ),
        ("reporter-missing-config", "Failed", 'Error: configmap "reporter-config" not found', "kubelet"),
    ]
    for name, reason, message, component in events:
        fake.add(
            b.event(
                "prod", kind="Pod", name=name, reason=reason, message=message, count=5, component=component
            )
        )
    fake.logs.add(
        "prod",
        "batch-oom",
        [f"processing batch {i}" for i in range(50)],
        container="batch",
        previous=True,
        ends_ago_s=45,
    )
    fake.logs.add("prod", "batch-oom", ["processing batch 0"], container="batch")
    fake.logs.add(
        "prod",
        "frontend-unready",
        ["listening on :8080", "warming cache (this takes a while)"],
        container="frontend",
    )


def seed_many_pods(
    fake: FakeKubernetes, n: int, *, unhealthy_every: int = 25, namespace: str = "load"
) -> int:
    """Add n pods cheaply; returns how many are unhealthy (CrashLoopBackOff)."""
    if fake.get("Namespace", "", namespace) is None:
        fake.add(b.namespace(namespace))
    container = b.container("app", "ghcr.io/example/load:1.0", port=8080)
    spec = {**b.pod("x", namespace, containers=[container], labels={}, node_name="node-1", status={})["spec"]}
    healthy = pod_status(spec, mode="running")
    crashing = pod_status(spec, mode="crashloop", restarts=12)
    labels = {"app": "load", "tier": "batch"}
    store, rt = fake.cluster.store, resource_for_kind("Pod")
    created = ago(86_400)
    unhealthy = 0
    for i in range(n):
        bad = unhealthy_every > 0 and i % unhealthy_every == unhealthy_every - 1
        unhealthy += bad
        obj = {
            "kind": "Pod",
            "apiVersion": "v1",
            "metadata": {
                "name": f"load-{i:05d}",
                "namespace": namespace,
                "labels": labels,
                "creationTimestamp": created,
            },
            "spec": spec,
            "status": crashing if bad else healthy,
        }
        store.put(rt, store.new_metadata(rt=rt, obj=obj, namespace=namespace))
    return unhealthy
