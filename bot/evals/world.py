"""The scenario a task runs in: the fake Kubernetes API and fake helm / minikube, seeded.

The fakes live in `tests/` (they are the project's test doubles, edited with
the tests), so `chatops eval` runs from a source checkout and imports them
here, lazily, through this one small interface; without them it says so in
one sentence (`WorldUnavailable`). Seeding only uses the fakes' own
seeding calls (`add`, `pod_modes`, `logs.add`, `expect`), never HTTP; the
agent then reaches them over real HTTP and real subprocesses, as in
production. Nothing here runs an operation or decides policy.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

from bot.evals.tasks import Seed, SeedCli, SeedDeployment, SeedPod
from tools.kubernetes.clusters import ClusterConfig, ClusterSet

CLUSTER = "fake"
SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the checkout, when installed from one (pip install -e)
HELM_WRITES = ("install", "upgrade", "uninstall", "rollback")
MINIKUBE_WRITES = ("start", "stop", "delete", "pause", "unpause")
MINIKUBE_SUB_WRITES = {"addons": ("enable", "disable"), "image": ("load", "build", "rm")}


class WorldUnavailable(Exception):
    """The fakes of tests/ cannot be imported (not a source checkout)."""


def _module(name: str) -> Any:
    if (SOURCE_ROOT / "tests" / "fake_k8s").is_dir() and str(SOURCE_ROOT) not in sys.path:
        sys.path.append(str(SOURCE_ROOT))
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise WorldUnavailable(
            "the task suite runs on the fake cluster of the source tree (tests/fake_k8s), which this "
            "installation does not have; install chatops from a git checkout with pip install -e '.[dev]'"
        ) from e


def check_available() -> None:
    """Raises WorldUnavailable (one sentence) when the fakes cannot be imported."""
    for name in ("tests.fake_k8s.server", "tests.fake_k8s.plugin", "tests.fakes.bin.fakecli"):
        _module(name)


def is_helm_write(argv: list[str]) -> bool:
    return bool(argv) and argv[0] in HELM_WRITES and not any(a.startswith("--dry-run") for a in argv)


def is_minikube_write(argv: list[str]) -> bool:
    if not argv:
        return False
    if argv[0] in MINIKUBE_WRITES:
        return True
    return len(argv) > 1 and argv[1] in MINIKUBE_SUB_WRITES.get(argv[0], ())


class World:
    """One task's fakes; `await World.start(seed, directory)`, then `await world.stop()`."""

    def __init__(self, fake: Any, helm: Any, minikube: Any, clusters: ClusterSet) -> None:
        self._fake = fake
        self._helm = helm
        self._minikube = minikube
        self.clusters = clusters
        self.helm_binary = Path(helm.path)
        self.minikube_binary = Path(minikube.path)

    @classmethod
    async def start(cls, seed: Seed, directory: Path) -> World:
        server = _module("tests.fake_k8s.server")
        plugin = _module("tests.fake_k8s.plugin")
        fakecli = _module("tests.fakes.bin.fakecli")
        fake = server.FakeKubernetes()
        _seed_cluster(fake, seed)
        await fake.start()
        try:
            kubeconfig = plugin.write_kubeconfig(directory / "kubeconfig", url=fake.url, token=fake.token)
            clusters = ClusterSet([ClusterConfig(name=CLUSTER, kubeconfig=kubeconfig, context=CLUSTER)])
            helm = fakecli.install_fake(directory / "bin", "helm")
            minikube = fakecli.install_fake(directory / "bin", "minikube")
            _expect(helm, seed.helm)
            _expect(minikube, seed.minikube)
        except BaseException:
            await fake.stop()
            raise
        world = cls(fake, helm, minikube, clusters)
        world.reset()
        return world

    async def stop(self) -> None:
        await self._fake.stop()

    def reset(self) -> None:
        self._fake.reset_requests()

    def changes(self) -> list[str]:
        """Every change that reached the cluster or the host (dry runs and reads left out)."""
        k8s = [f"{r.method} {r.path}" for r in self._fake.mutations()]
        helm = ["helm " + " ".join(a) for a in self._helm.argvs() if is_helm_write(a)]
        minikube = ["minikube " + " ".join(a) for a in self._minikube.argvs() if is_minikube_write(a)]
        return [*k8s, *helm, *minikube]


def _expect(cli: Any, rules: tuple[SeedCli, ...]) -> None:
    for rule in rules:
        cli.expect(list(rule.argv), stdout=rule.stdout, stderr=rule.stderr, exit=rule.exit)


def _seed_cluster(fake: Any, seed: Seed) -> None:
    b = _module("tests.fake_k8s.builders")
    if seed.demo:
        _module("tests.fake_k8s.seed").seed_demo(fake)
    else:
        fake.add(b.node("node-1", ready=True, ip="192.168.49.2"))
    for name in seed.namespaces:
        if fake.get("Namespace", "", name) is None:
            fake.add(b.namespace(name))
    for deployment in seed.deployments:
        _seed_deployment(fake, b, deployment)
    for pod in seed.pods:
        _seed_pod(fake, b, pod)
    for event in seed.events:
        fake.add(b.event(event.namespace, **event.model_dump(exclude={"namespace"})))
    for logs in seed.logs:
        fake.logs.add(
            logs.namespace,
            _pod_name(fake, logs.namespace, logs.pod),
            list(logs.lines),
            container=logs.container,
            previous=logs.previous,
        )
    for obj in seed.objects:
        fake.add(dict(obj))


def _seed_deployment(fake: Any, b: Any, d: SeedDeployment) -> None:
    container = b.container(d.container or d.name, d.image, port=d.port)
    body = b.deployment(d.name, d.namespace, replicas=d.replicas, containers=[container])
    if d.annotations:
        body["metadata"]["annotations"] = dict(d.annotations)
    fake.pod_modes[(d.namespace, d.name)] = d.mode
    fake.add(body, reconcile=True)
    resources = _module("tests.fake_k8s.resources")
    for i, image in enumerate(d.rollouts):
        if i == len(d.rollouts) - 1 and d.rollout_mode:
            fake.pod_modes[(d.namespace, d.name)] = d.rollout_mode
        patch = {
            "spec": {"template": {"spec": {"containers": [{"name": container["name"], "image": image}]}}}
        }
        fake.cluster.patch(
            resources.resource_for_kind("Deployment"),
            d.namespace,
            d.name,
            patch,
            patch_type="strategic",
            dry_run=False,
            manager="chatops-eval-seed",
        )


def _seed_pod(fake: Any, b: Any, p: SeedPod) -> None:
    podstatus = _module("tests.fake_k8s.podstatus")
    container = b.container(
        p.container or p.name.split("-")[0],
        p.image,
        port=8080,
        readiness_path=p.readiness_path,
        memory_limit=p.memory_limit,
    )
    if p.env_from_configmap:
        container["envFrom"] = [{"configMapRef": {"name": p.env_from_configmap}}]
    if p.memory_request:
        container["resources"]["requests"]["memory"] = p.memory_request
    status = podstatus.pod_status(
        {"containers": [container]},
        mode=p.mode,
        restarts=p.restarts,
        missing_config=p.env_from_configmap or "app-config",
    )
    labels = p.labels or {"app": p.name.split("-")[0]}
    body = b.pod(
        p.name,
        p.namespace,
        containers=[container],
        labels=labels,
        node_name=None if p.mode == "pending" else "node-1",
        status=status,
    )
    if p.annotations:
        body["metadata"]["annotations"] = dict(p.annotations)
    fake.add(body)


def _pod_name(fake: Any, namespace: str, pattern: str) -> str:
    if not pattern.endswith("*"):
        return pattern
    names = sorted(str(p["metadata"]["name"]) for p in fake.objects("Pod", namespace))
    found = [n for n in names if n.startswith(pattern[:-1])]
    if not found:
        raise ValueError(f"no pod in {namespace} starts with {pattern[:-1]}")
    return found[0]
