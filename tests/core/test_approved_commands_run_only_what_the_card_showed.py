"""For every Helm and minikube write in the registry: approve it, then compare what the tool received with the card.

Each change is asked for through the router and approved by a second admin, against fake
helm/minikube executables that log the exact argv (and stdin) they received. Every
mutating command the fake received must appear, argument for argument, on the card's
`Runs:` line. Then the other road: a row whose command would differ at run time from the
one the card showed (the binding's chart version, or the stored arguments, edited in the
database) runs nothing.
"""

from __future__ import annotations

import json
import os
import shlex
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App, build_app
from bot.domain.outcomes import args_digest
from storage.records import ApprovalState
from tests.core.fixtures import _create_pg_database, _drop_pg_database, make_config
from tests.core.helpers import msg, slack_roles
from tests.fakes.bin.fakecli import FakeCli, install_fake
from tools.base import Safety
from tools.helm import HelmSettings, helm_operations
from tools.kubernetes.clusters import ClusterConfig, ClusterSet
from tools.minikube import MinikubeSettings, minikube_operations

DEV = ["--namespace=apps", "--kube-context=dev-admin"]
HELM_READS = {"status", "history", "get", "list", "search", "show", "template", "lint", "version", "env"}
MINIKUBE_READS = (["status"], ["profile", "list"], ["addons", "list"], ["image", "ls"], ["version"])
POLICY = slack_roles(admins=["UA1", "UA2"])


def manifest(replicas: int) -> str:
    return (
        "---\n# Source: nginx/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\n"
        f"metadata:\n  name: web\n  namespace: apps\nspec:\n  replicas: {replicas}\n"
    )


def release(version: int, chart_version: str, replicas: int) -> dict[str, Any]:
    return {
        "name": "web",
        "namespace": "apps",
        "version": version,
        "info": {"status": "deployed", "description": "done", "last_deployed": "2025-01-02T10:00:00Z"},
        "chart": {"metadata": {"name": "nginx", "version": chart_version, "appVersion": "1.25.0"}},
        "config": {"replicas": replicas},
        "manifest": manifest(replicas),
    }


HISTORY = [
    {"revision": 2, "chart": "nginx-1.2.2", "status": "superseded", "updated": "2025-01-01T11:00:00Z"},
    {"revision": 3, "chart": "nginx-1.2.3", "status": "deployed", "updated": "2025-01-02T10:00:00Z"},
]
PROFILES = {
    "invalid": [],
    "valid": [
        {
            "Name": "dev",
            "Status": "Running",
            "Config": {
                "Driver": "docker",
                "CPUs": 2,
                "Memory": 4000,
                "KubernetesConfig": {"KubernetesVersion": "v1.30.0"},
            },
        }
    ],
}


@dataclass
class World:
    helm: FakeCli
    minikube: FakeCli
    charts: Path
    images: Path


Setup = Callable[[World], None]


def _helm_install(w: World) -> None:
    w.helm.expect(
        ["install", "web", "bitnami/nginx", "--dry-run=server", "--output=json", *DEV],
        stdout=release(1, "1.2.3", 2),
    )
    w.helm.expect(
        ["install", "web", "bitnami/nginx", "--version=1.2.3", "--dry-run=server", "--output=json", *DEV],
        stdout=release(1, "1.2.3", 2),
    )
    w.helm.expect(
        ["install", "web", "bitnami/nginx", "--version=1.2.3", "--output=json", *DEV],
        stdout=release(1, "1.2.3", 2),
    )


def _helm_upgrade(w: World) -> None:
    w.helm.expect(["status", "web", "--output=json", *DEV], stdout=release(3, "1.2.3", 2))
    for version in ([], ["--version=1.2.4"]):
        w.helm.expect(
            ["upgrade", "web", "bitnami/nginx", *version, "--dry-run=server", "--output=json", *DEV],
            stdout=release(4, "1.2.4", 3),
        )
    w.helm.expect(
        ["upgrade", "web", "bitnami/nginx", "--version=1.2.4", "--output=json", *DEV],
        stdout=release(4, "1.2.4", 3),
    )


def _helm_rollback(w: World) -> None:
    w.helm.expect(["history", "web", "--max=100", "--output=json", *DEV], stdout=HISTORY)
    w.helm.expect(["get", "manifest", "web", *DEV], stdout=manifest(2))
    w.helm.expect(["get", "manifest", "web", "--revision=2", *DEV], stdout=manifest(3))
    w.helm.expect(["status", "web", "--output=json", *DEV], stdout=release(3, "1.2.3", 2))
    w.helm.expect(["rollback", "web", *DEV], stdout="Rollback was a success! Happy Helming!\n")


def _helm_uninstall(w: World) -> None:
    w.helm.expect(["status", "web", "--output=json", *DEV], stdout=release(3, "1.2.3", 2))
    w.helm.expect(["uninstall", "web", *DEV], stdout='release "web" uninstalled\n')


def _helm_repo_add(w: World) -> None:
    w.helm.expect(["repo", "add", "bitnami", "https://charts.bitnami.com/bitnami"], stdout="added\n")


def _helm_repo_update(w: World) -> None:
    w.helm.expect(["repo", "update", "bitnami"], stdout="Update Complete.\n")


def _helm_create(w: World) -> None:
    w.helm.expect(["create", str(w.charts / "shop")], stdout="Creating shop\n")


def _helm_package(w: World) -> None:
    (w.charts / "cart").mkdir()
    (w.charts / "cart" / "Chart.yaml").write_text("apiVersion: v2\nname: cart\nversion: 0.1.0\n")
    w.helm.expect(
        ["package", str(w.charts / "cart"), f"--destination={w.charts}"],
        stdout=f"Successfully packaged chart and saved it to: {w.charts}/cart-0.1.0.tgz\n",
    )


def _profiles(w: World) -> None:
    w.minikube.expect(["profile", "list", "--output=json"], stdout=PROFILES)


def _minikube(*commands: list[str]) -> Setup:
    def setup(w: World) -> None:
        _profiles(w)
        for argv in commands:
            w.minikube.expect(argv, stdout="{}\n")

    return setup


def _minikube_addon(w: World) -> None:
    addons = {"ingress": {"Profile": "dev", "Status": "disabled"}}
    w.minikube.expect(["addons", "list", "--profile=dev", "--output=json"], stdout=addons)
    w.minikube.expect(["addons", "enable", "ingress", "--profile=dev"], stdout="enabled\n")


def _minikube_build(w: World) -> None:
    (w.images / "app").mkdir()
    w.minikube.expect(
        ["image", "build", "--profile=dev", "--tag=app:1", str(w.images / "app")], stdout="built\n"
    )


# operation → (the chat command, what the fakes answer)
CASES: dict[str, tuple[str, Setup]] = {
    "helm_install": ("!helm install web bitnami/nginx --namespace apps --cluster dev", _helm_install),
    "helm_upgrade": ("!helm upgrade web bitnami/nginx --namespace apps --cluster dev", _helm_upgrade),
    "helm_rollback": ("!helm rollback web --namespace apps --cluster dev", _helm_rollback),
    "helm_uninstall": ("!helm uninstall web --namespace apps --cluster dev", _helm_uninstall),
    "helm_repo_add": ("!helm repo add bitnami", _helm_repo_add),
    "helm_repo_update": ("!helm repo update bitnami", _helm_repo_update),
    "helm_create": ("!helm create shop", _helm_create),
    "helm_package": ("!helm package cart", _helm_package),
    "minikube_start": (
        "!minikube start --profile dev --cpus 2 --driver docker",
        _minikube(["start", "--profile=dev", "--cpus=2", "--driver=docker", "--output=json"]),
    ),
    "minikube_stop": ("!minikube stop --profile dev", _minikube(["stop", "--profile=dev"])),
    "minikube_restart": (
        "!minikube restart --profile dev",
        _minikube(["stop", "--profile=dev"], ["start", "--profile=dev", "--output=json"]),
    ),
    "minikube_addon": ("!minikube addons enable ingress --profile dev", _minikube_addon),
    "minikube_image_load": (
        "!minikube image load nginx:1.25 --profile dev",
        _minikube(["image", "load", "nginx:1.25", "--profile=dev"]),
    ),
    "minikube_image_build": ("!minikube image build app --tag app:1 --profile dev", _minikube_build),
    "minikube_image_rm": (
        "!minikube image rm nginx:1.25 --profile dev",
        _minikube(["image", "rm", "nginx:1.25", "--profile=dev"]),
    ),
    "minikube_delete": ("!minikube delete --profile dev", _minikube(["delete", "--profile=dev"])),
}


def mutations(fake: FakeCli) -> list[list[str]]:
    """The commands the fake received that change something (not reads, not dry runs)."""
    reads: tuple[list[str], ...] = (
        MINIKUBE_READS if fake.path.name == "minikube" else tuple([r] for r in HELM_READS)
    )
    return [
        argv
        for argv in fake.argvs()
        if not any(argv[: len(r)] == r for r in reads)
        and not any(a == "--dry-run" or a.startswith("--dry-run=") for a in argv)
    ]


@pytest.fixture
async def store_url(request: pytest.FixtureRequest, sqlite_url: str) -> AsyncIterator[str]:
    """SQLite, or (parametrized indirectly with "postgres") a fresh PostgreSQL database."""
    if getattr(request, "param", "sqlite") != "postgres":
        yield sqlite_url
        return
    url = await _create_pg_database()
    try:
        yield url
    finally:
        await _drop_pg_database(url)


@pytest.fixture
async def world(tmp_path: Path, store_url: str) -> AsyncIterator[tuple[App, World]]:
    helm = install_fake(tmp_path / "bin", "helm")
    minikube = install_fake(tmp_path / "bin", "minikube")
    charts, images = tmp_path / "charts", tmp_path / "images"
    charts.mkdir()
    images.mkdir()
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\ncontexts: []\nclusters: []\nusers: []\n")
    clusters = ClusterSet(
        [ClusterConfig(name="dev", kubeconfig=kubeconfig, context="dev-admin", default_namespace="apps")]
    )
    helm_settings = HelmSettings(
        binary=str(helm.path),
        repositories={"bitnami": "https://charts.bitnami.com/bitnami"},
        chart_dir=charts,
        timeout_s=30,
        home=tmp_path / "helm-home",
    )
    operations = [
        *helm_operations(settings=helm_settings, clusters=clusters),
        *minikube_operations(settings=MinikubeSettings(binary=str(minikube.path), build_dir=images)),
    ]
    app = await build_app(make_config(store_url, policy=POLICY), operations=operations, clusters=clusters)
    try:
        yield app, World(helm, minikube, charts, images)
    finally:
        await app.close()


def test_every_helm_and_minikube_write_has_a_case(tmp_path: Path) -> None:
    operations = [
        *helm_operations(settings=HelmSettings(binary="helm", chart_dir=tmp_path), clusters=ClusterSet([])),
        *minikube_operations(settings=MinikubeSettings(binary="minikube", build_dir=tmp_path)),
    ]
    writes = {op.name for op in operations if op.safety is not Safety.READ}
    assert writes == set(CASES)


async def _file(app: App, command: str) -> tuple[str, str]:
    card = (await app.router.handle(msg(command, "UA1", platform="slack")))[0]
    assert card.approval_id, card.text
    return card.approval_id, "\n".join([card.text, card.code or "", *(f.value for f in card.fields)])


async def _approve(app: App, approval_id: str) -> str:
    replies = await app.router.handle(msg(f"!approve {approval_id}", "UA2", platform="slack"))
    await app.executor.drain(30)
    return " ".join(r.text for r in replies)


@pytest.mark.parametrize("operation", sorted(CASES))
async def test_the_tool_receives_only_the_commands_the_card_showed(
    world: tuple[App, World], operation: str
) -> None:
    app, w = world
    command, setup = CASES[operation]
    setup(w)
    approval_id, shown = await _file(app, command)
    assert "Runs: `" in shown, shown
    assert not mutations(w.helm) and not mutations(w.minikube), "the preview changed something"
    await _approve(app, approval_id)
    row = await app.store.get_approval(approval_id)
    assert row is not None and row.state is ApprovalState.SUCCEEDED, (row, w.helm.calls(), w.minikube.calls())
    ran = [(w.helm, argv) for argv in mutations(w.helm)] + [
        (w.minikube, argv) for argv in mutations(w.minikube)
    ]
    assert ran, "the approved change ran no command"
    for fake, argv in ran:
        assert f"{shlex.join([fake.path.name, *argv])}" in shown, f"{argv} is not on the card:\n{shown}"


async def _edit_row(url: str, approval_id: str, column: str, value: dict[str, Any], **extra: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            values = {column: json.dumps(value), **extra}
            assignments = ", ".join(f"{name} = :{name}" for name in values)
            await conn.execute(
                sa.text(f"UPDATE approvals SET {assignments} WHERE id = :id"), {**values, "id": approval_id}
            )
    finally:
        await engine.dispose()


@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
async def test_a_chart_version_edited_in_the_binding_runs_nothing(
    world: tuple[App, World], store_url: str
) -> None:
    app, w = world
    _helm_install(w)
    # Were the edited version to run, the fake would answer it: only the gate stops it.
    w.helm.expect(
        ["install", "web", "bitnami/nginx", "--version=9.9.9", "--dry-run=server", "--output=json", *DEV],
        stdout=release(1, "9.9.9", 2),
    )
    w.helm.expect(
        ["install", "web", "bitnami/nginx", "--version=9.9.9", "--output=json", *DEV],
        stdout=release(1, "9.9.9", 2),
    )
    approval_id, _ = await _file(app, CASES["helm_install"][0])
    row = await app.store.get_approval(approval_id)
    assert row is not None and row.binding["chart_version"] == "1.2.3"
    await _edit_row(store_url, approval_id, "binding", {**row.binding, "chart_version": "9.9.9"})
    said = await _approve(app, approval_id)
    row = await app.store.get_approval(approval_id)
    assert row is not None and row.state is ApprovalState.FAILED
    assert mutations(w.helm) == []
    assert "nothing ran" in (row.result_text or "") + said


@pytest.mark.parametrize(
    ("operation", "edit", "unshown"),
    [
        (
            "minikube_start",
            {"cpus": 8},
            ["start", "--profile=dev", "--cpus=8", "--driver=docker", "--output=json"],
        ),
        (
            "helm_package",
            {"version": "6.6.6"},
            ["package", "{charts}/cart", "--destination={charts}", "--version=6.6.6"],
        ),
    ],
)
@pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)
async def test_stored_arguments_rewritten_after_the_card_run_nothing(
    world: tuple[App, World], store_url: str, operation: str, edit: dict[str, Any], unshown: list[str]
) -> None:
    app, w = world
    CASES[operation][1](w)
    fake = w.minikube if operation.startswith("minikube") else w.helm
    # Were the rewritten call to run, the fake would answer it: only the gate stops it.
    fake.expect([arg.format(charts=w.charts) for arg in unshown], stdout="{}\n")
    approval_id, _ = await _file(app, CASES[operation][0])
    row = await app.store.get_approval(approval_id)
    assert row is not None
    # Someone with write access to the database changes the stored call and its digest.
    args = {**row.args, **edit}
    await _edit_row(store_url, approval_id, "args", args, args_sha256=args_digest(row.operation, args))
    said = await _approve(app, approval_id)
    row = await app.store.get_approval(approval_id)
    assert row is not None and row.state is ApprovalState.FAILED, said
    assert mutations(fake) == []
    assert "is not the command the approved card showed; it was not run" in (row.result_text or "") + said


@pytest.fixture(autouse=True)
def _no_real_tools_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
