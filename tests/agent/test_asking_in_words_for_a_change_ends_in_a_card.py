"""Asking in words to deploy, scale, roll back, install a chart or restart minikube ends in a card.

The fake model answers the words with the change call the agent would make.
Each case must end in exactly one approval card that names the exact
operation, a PENDING row with the normalised arguments, and nothing changed:
the Kubernetes API saw only dry runs, and the fake helm and minikube only the
reads their previews make, never the mutating argv.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kubernetes.client import ApiClient, AppsV1Api

from bot.app import build_app
from bot.domain.models import ReplyKind
from storage.records import ApprovalState
from tests.agent.conftest import ADMIN, ROLES, ask
from tests.core.fixtures import Apps, make_config
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_llm import Call, FakeLLM, Say
from tests.fakes.bin.fakecli import FakeCli, install_fake
from tools.helm import HelmSettings, helm_operations
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterSet
from tools.minikube import MinikubeSettings, minikube_operations

DEPLOYMENTS = "/apis/apps/v1/namespaces/prod/deployments"
HELM_TARGET = ["--namespace=prod", "--kube-context=fake"]
HELM_PREVIEW = ["install", "shop", "bitnami/nginx", "--dry-run=server", "--output=json", *HELM_TARGET]
HELM_INSTALL = ["install", "shop", "bitnami/nginx", "--version=1.3.0", "--output=json", *HELM_TARGET]
MINIKUBE_PROFILES = ["profile", "list", "--output=json"]
MINIKUBE_STOP = ["stop", "--profile=dev"]
MINIKUBE_START = ["start", "--profile=dev", "--output=json"]

PLANNED_RELEASE = {
    "name": "shop",
    "namespace": "prod",
    "version": 1,
    "info": {"status": "pending-install", "description": "Dry run complete", "notes": ""},
    "chart": {"metadata": {"name": "nginx", "version": "1.3.0", "appVersion": "1.25.0", "apiVersion": "v2"}},
    "config": {},
    "manifest": (
        "---\n# Source: nginx/templates/deployment.yaml\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n"
        "---\n# Source: nginx/templates/service.yaml\n"
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: shop\n"
    ),
}
PROFILES = {
    "invalid": [],
    "valid": [
        {
            "Name": "dev",
            "Status": "Running",
            "Config": {
                "Name": "dev",
                "Driver": "docker",
                "CPUs": 2,
                "Memory": 4096,
                "KubernetesConfig": {"KubernetesVersion": "v1.30.0", "ContainerRuntime": "docker"},
                "Nodes": [{"Name": "", "IP": "192.168.49.2", "Port": 8443, "ControlPlane": True}],
            },
        }
    ],
}


def web_image(fake_k8s: FakeKubernetes) -> str:
    deployment = fake_k8s.get("Deployment", "prod", "web")
    assert deployment is not None
    return str(deployment["spec"]["template"]["spec"]["containers"][0]["image"])


def web_replicas(fake_k8s: FakeKubernetes) -> int:
    deployment = fake_k8s.get("Deployment", "prod", "web")
    assert deployment is not None
    return int(deployment["spec"]["replicas"])


def roll_web_forward(api_client: ApiClient) -> None:
    """A second revision of `web` (nginx:1.27), so there is one to roll back to."""
    body = {"spec": {"template": {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}}}
    AppsV1Api(api_client).patch_namespaced_deployment("web", "prod", body)


@dataclasses.dataclass(frozen=True)
class Scenario:
    words: str
    tool: str
    operation: str
    args: dict[str, Any]  # what the model passes
    stored: dict[str, Any]  # the approval row's normalised arguments
    call: str  # the exact call as the reply and the card name it
    preview: str
    k8s_requests: list[tuple[str, str, bool]]  # every non-GET request: (method, path, dry run)
    cluster_state: Callable[[FakeKubernetes], object]
    expected_state: object
    helm_argvs: list[list[str]]
    minikube_argvs: list[list[str]]
    before: Callable[[ApiClient], None] | None = None


def nothing(fake_k8s: FakeKubernetes) -> object:
    return None


SCENARIOS = [
    pytest.param(
        Scenario(
            words="deploy nginx:1.27 as shop with 2 replicas in prod",
            tool="k8s_change",
            operation="k8s_create_deployment",
            args={"name": "shop", "image": "nginx:1.27", "replicas": 2, "namespace": "prod"},
            stored={
                "cluster": "fake",
                "namespace": "prod",
                "name": "shop",
                "image": "nginx:1.27",
                "replicas": 2,
                "port": None,
                "env": {},
                "labels": {},
                "cpu": None,
                "memory": None,
            },
            call="k8s_create_deployment(cluster=fake, image=nginx:1.27, name=shop, namespace=prod, replicas=2)",
            preview="deployment/shop in fake / prod will be created: image nginx:1.27, replicas 2",
            k8s_requests=[("POST", DEPLOYMENTS, True)],
            cluster_state=lambda k8s: k8s.get("Deployment", "prod", "shop"),
            expected_state=None,
            helm_argvs=[],
            minikube_argvs=[],
        ),
        id="deploy",
    ),
    pytest.param(
        Scenario(
            words="please scale web to 4 in prod",
            tool="k8s_change",
            operation="k8s_scale_deployment",
            args={"name": "web", "replicas": 4, "namespace": "prod"},
            stored={"cluster": "fake", "namespace": "prod", "name": "web", "replicas": 4},
            call="k8s_scale_deployment(cluster=fake, name=web, namespace=prod, replicas=4)",
            preview="deployment/web in fake / prod: replicas 2 → 4; 2 pod(s) will be started",
            k8s_requests=[("PATCH", f"{DEPLOYMENTS}/web", True)],
            cluster_state=web_replicas,
            expected_state=2,
            helm_argvs=[],
            minikube_argvs=[],
        ),
        id="scale",
    ),
    pytest.param(
        Scenario(
            words="web in prod is broken since the last release, roll it back",
            tool="k8s_change",
            operation="k8s_rollback_deployment",
            args={"name": "web", "namespace": "prod"},
            stored={"cluster": "fake", "namespace": "prod", "name": "web", "revision": None},
            call="k8s_rollback_deployment(cluster=fake, name=web, namespace=prod)",
            preview="deployment/web in fake / prod: revision 2 (nginx:1.27) → revision 1 (nginx:1.25.3)",
            k8s_requests=[("PUT", f"{DEPLOYMENTS}/web", True)],
            cluster_state=web_image,
            expected_state="nginx:1.27",
            helm_argvs=[],
            minikube_argvs=[],
            before=roll_web_forward,
        ),
        id="rollback",
    ),
    pytest.param(
        Scenario(
            words="install the bitnami nginx chart as shop in prod",
            tool="helm_change",
            operation="helm_install",
            args={"name": "shop", "chart": "bitnami/nginx", "namespace": "prod"},
            stored={
                "cluster": "fake",
                "namespace": "prod",
                "name": "shop",
                "chart": "bitnami/nginx",
                "version": None,
                "set": {},
                "values": None,
                "create_namespace": False,
            },
            call="helm_install(chart=bitnami/nginx, cluster=fake, name=shop, namespace=prod)",
            preview=(
                "Install release shop in namespace prod on fake: chart nginx 1.3.0.\n"
                "Values: no value changes\n"
                "Creates 2 objects: 1 Deployment (shop); 1 Service (shop)"
            ),
            k8s_requests=[],
            cluster_state=nothing,
            expected_state=None,
            helm_argvs=[HELM_PREVIEW],
            minikube_argvs=[],
        ),
        id="install-chart",
    ),
    pytest.param(
        Scenario(
            words="restart my dev minikube",
            tool="minikube_change",
            operation="minikube_restart",
            args={"profile": "dev"},
            stored={"profile": "dev"},  # minikube acts on the bot's host: no cluster
            call="minikube_restart(profile=dev)",
            preview="Restart minikube profile dev (currently Running): stop, then start.",
            k8s_requests=[],
            cluster_state=nothing,
            expected_state=None,
            helm_argvs=[],
            minikube_argvs=[MINIKUBE_PROFILES],
        ),
        id="restart-minikube",
    ),
]


def fake_helm(tmp_path: Path) -> FakeCli:
    """Answers the install preview; the real install is answered too, so only the log can tell."""
    helm = install_fake(tmp_path / "bin", "helm")
    helm.expect(HELM_PREVIEW, stdout=PLANNED_RELEASE)
    helm.expect(HELM_INSTALL, stdout={**PLANNED_RELEASE, "info": {"status": "deployed"}})
    return helm


def fake_minikube(tmp_path: Path) -> FakeCli:
    """Answers the profile list the restart preview reads, and the stop and start a restart runs."""
    minikube = install_fake(tmp_path / "bin", "minikube")
    minikube.expect(MINIKUBE_PROFILES, stdout=json.dumps(PROFILES))
    minikube.expect(MINIKUBE_STOP, stdout="Stopping node\n")
    minikube.expect(MINIKUBE_START, lines=[])
    return minikube


@pytest.mark.parametrize("case", SCENARIOS)
async def test_asking_in_words_for_a_change_ends_in_an_approval_card_and_changes_nothing(
    apps: Apps,
    case: Scenario,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
    fake_api_client: ApiClient,
    fake_llm: FakeLLM,
    tmp_path: Path,
) -> None:
    if case.before is not None:
        await asyncio.to_thread(case.before, fake_api_client)
    fake_k8s.reset_requests()
    helm, minikube = fake_helm(tmp_path), fake_minikube(tmp_path)
    (tmp_path / "charts").mkdir()
    helm_settings = HelmSettings(
        binary=str(helm.path),
        repositories={"bitnami": "https://charts.bitnami.com/bitnami"},
        chart_dir=tmp_path / "charts",
        home=tmp_path / "helm-home",
        timeout_s=30,
    )
    minikube_settings = MinikubeSettings(
        binary=str(minikube.path), build_dir=tmp_path / "images", timeout_s=30
    )
    operations = [
        *kubernetes_operations(clusters=fake_cluster_set),
        *helm_operations(settings=helm_settings, clusters=fake_cluster_set),
        *minikube_operations(settings=minikube_settings),
    ]
    config = make_config(
        f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}",
        llm={"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 5},
        policy=ROLES,
    )
    app = apps.keep(await build_app(config, operations=operations, clusters=fake_cluster_set))
    fake_llm.push(
        Call.one(case.tool, case.operation, case.args), Say(f"I asked for approval: {case.operation}.")
    )
    replies = await app.router.handle(ask(case.words, who=ADMIN))
    cards = [r for r in replies if r.approval_id is not None]
    assert len(cards) == 1, [r.text for r in replies]
    card = cards[0]
    assert card.approval_id is not None
    row = await app.store.get_approval(card.approval_id)
    filed = [r.id for r in await app.store.list_approvals()]

    # The model got the person's words and was offered the operation under the tool it called.
    offered = {t["function"]["name"]: t["function"]["parameters"] for t in fake_llm.requests[0].tools}
    assert case.words in fake_llm.requests[0].text()
    assert case.operation in offered[case.tool]["properties"]["operation"]["enum"]

    # One card, one pending row, with the exact operation and its normalised arguments.
    assert card.kind is ReplyKind.APPROVAL
    assert card.text.startswith(f"Approval {card.approval_id} needed: {case.call}\n")
    assert row is not None and filed == [row.id]
    assert row.state is ApprovalState.PENDING
    assert row.operation == case.operation
    assert dict(row.args) == case.stored
    assert row.cluster == case.stored.get("cluster")  # the card and the policy see the same cluster
    assert row.preview.startswith(case.preview)  # then the full per-object diff

    # The reply names the exact call with its safety, and says it has not run.
    said = next(r for r in replies if r.kind is ReplyKind.INFO)
    assert f"[write] {case.call} → approval {row.id} requested, not run yet" in said.text

    # Nothing changed: only dry runs reached the API, only reads reached helm and minikube.
    assert fake_k8s.mutations() == []
    writes = [(r.method, r.path, r.dry_run) for r in fake_k8s.requests if r.method not in ("GET", "HEAD")]
    assert writes == case.k8s_requests
    assert case.cluster_state(fake_k8s) == case.expected_state
    assert helm.argvs() == case.helm_argvs
    assert minikube.argvs() == case.minikube_argvs
