"""Release reads and changes against a fake helm that checks the exact argv and answers in helm's JSON."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.bin.fakecli import FakeCli
from tests.helm.conftest import OpsFactory
from tools.base import KubeIdentity, RunContext, Status

SECRET = "hunter2-Sup3rSecret"
DEV = ["--namespace=apps", "--kube-context=dev-admin"]
ALICE = ["--kube-as-user=alice@example.com", "--kube-as-group=sre", "--kube-as-group=dev"]


def manifest(*objects: tuple[str, str], replicas: int = 1) -> str:
    docs = []
    for kind, name in objects:
        doc = f"---\n# Source: nginx/templates/{kind.lower()}.yaml\n"
        doc += f"apiVersion: v1\nkind: {kind}\nmetadata:\n  name: {name}\n"
        if kind == "Secret":
            doc += f"stringData:\n  password: {SECRET}\n"
        if kind == "Deployment":
            doc += f"spec:\n  replicas: {replicas}\n"
        docs.append(doc)
    return "".join(docs)


def release(
    *, version: int, chart_version: str, config: dict[str, Any], manifest_text: str, status: str = "deployed"
) -> dict[str, Any]:
    return {
        "name": "web",
        "namespace": "apps",
        "version": version,
        "info": {
            "first_deployed": "2025-01-01T10:00:00Z",
            "last_deployed": "2025-01-02T10:00:00Z",
            "deleted": "",
            "description": "Upgrade complete",
            "status": status,
            "notes": f"Log in with admin / {SECRET}\n",
        },
        "chart": {
            "metadata": {
                "name": "nginx",
                "version": chart_version,
                "appVersion": "1.25.0",
                "apiVersion": "v2",
            }
        },
        "config": config,
        "manifest": manifest_text,
    }


CURRENT = release(
    version=3,
    chart_version="1.2.3",
    config={"auth": {"password": SECRET}, "image": {"tag": "1.25"}, "replicas": 1},
    manifest_text=manifest(("Secret", "web"), ("Deployment", "web"), ("ConfigMap", "web-old")),
)


@pytest.fixture
def alice(ctx: RunContext) -> RunContext:
    return dataclasses.replace(ctx, identity=KubeIdentity(user="alice@example.com", groups=("sre", "dev")))


async def test_list_passes_cluster_context_kubeconfig_and_impersonation(
    make_ops: OpsFactory, fake_helm: FakeCli, kubeconfig: Path, alice: RunContext
) -> None:
    rows = [
        {
            "name": "web",
            "namespace": "apps",
            "revision": "3",
            "updated": "2025-01-02 10:00:00 +0000 UTC",
            "status": "failed",
            "chart": "nginx-1.2.3",
            "app_version": "1.25.0",
        },
    ]
    fake_helm.expect(["list", "--all-namespaces", "--failed", "--output=json", *DEV, *ALICE], stdout=rows)
    op = make_ops()["helm_list"]
    result = await op.run(
        op.parse_args({"all_namespaces": True, "status": "failed", "cluster": "dev"}), alice
    )
    assert result.status is Status.OK, result.text
    assert result.table is not None
    assert result.table.rows == (
        ("web", "apps", "3", "failed", "nginx-1.2.3", "1.25.0", "2025-01-02 10:00:00 +0000 UTC"),
    )
    call = fake_helm.calls()[0]
    assert isinstance(call["argv"], list)
    assert call["env"]["KUBECONFIG"] == str(kubeconfig)
    assert call["env"]["HELM_PLUGINS"].endswith(".chatops-no-helm-plugins")


async def test_status_summarises_without_values_notes_secrets_or_manifest(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    fake_helm.expect(["status", "web", "--output=json", *DEV], stdout=CURRENT)
    op = make_ops()["helm_status"]
    result = await op.run(op.parse_args({"name": "web"}), ctx)
    assert result.status is Status.OK, result.text
    assert result.text.startswith("web in apps: deployed, revision 3, chart nginx-1.2.3 (app 1.25.0)")
    assert "3 objects: 1 ConfigMap (web-old); 1 Deployment (web); 1 Secret (web)" in result.text
    assert "Log in with admin / [REDACTED]" in result.text
    assert SECRET not in json.dumps(dataclasses.asdict(result), default=str)


async def test_get_values_masks_passwords(make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext) -> None:
    fake_helm.expect(["get", "values", "web", "--all", "--output=json", *DEV], stdout=CURRENT["config"])
    op = make_ops()["helm_get_values"]
    result = await op.run(op.parse_args({"name": "web", "all": True}), ctx)
    # `auth` is a map: its secret-named leaf is masked, its shape stays readable.
    assert result.code == "auth:\n  password: '[REDACTED]'\nimage:\n  tag: '1.25'\nreplicas: 1\n"
    assert SECRET not in repr(result)


async def test_get_manifest_counts_kinds_and_never_shows_secret_data(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    fake_helm.expect(["get", "manifest", "web", "--revision=2", *DEV], stdout=CURRENT["manifest"])
    op = make_ops()["helm_get_manifest"]
    result = await op.run(op.parse_args({"name": "web", "revision": 2}), ctx)
    assert result.data == {"objects": {"ConfigMap": 1, "Deployment": 1, "Secret": 1}}
    assert SECRET not in repr(result)


async def test_install_preview_is_a_server_dry_run_with_values_on_stdin(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    planned = release(
        version=1,
        chart_version="1.3.0",
        status="pending-install",
        config={"auth": {"existingSecret": "web-auth"}, "image": {"tag": "1.26"}},
        manifest_text=manifest(("Secret", "web"), ("Deployment", "web"), ("Service", "web")),
    )
    argv = [
        "install",
        "web",
        "bitnami/nginx",
        "--values=-",
        "--set=image.tag=1.26",
        "--version=1.3.0",
        "--dry-run=server",
        "--output=json",
        *DEV,
    ]
    fake_helm.expect(argv, stdout=planned)
    op = make_ops()["helm_install"]
    args = op.parse_args(
        {
            "name": "web",
            "chart": "bitnami/nginx",
            "version": "1.3.0",
            "set": {"image.tag": "1.26"},
            "values": "auth:\n  existingSecret: web-auth\n",
        }
    )
    assert op.preview is not None
    preview = await op.preview(args, ctx)
    assert preview.ok, preview.text
    lines = preview.text.splitlines()
    assert lines[:3] == [
        "Install release web in namespace apps on dev: chart nginx 1.3.0.",
        "Values: +auth.existingSecret=[REDACTED], +image.tag=1.26",
        "Creates 3 objects: 1 Deployment (web); 1 Secret (web); 1 Service (web)",
    ]
    # Then every object and every field it gets; a Secret's values are named, never shown.
    assert "+ Secret/web in apps (created)" in lines
    assert "    stringData.password: set (secret-shaped value, not shown)" in lines
    assert "    + spec.replicas: 1" in lines and SECRET not in preview.text
    assert [(e.action, e.kind) for e in preview.effects] == [
        ("create", "Secret"),
        ("create", "Deployment"),
        ("create", "Service"),
    ]
    assert preview.binding == {"chart_version": "1.3.0"}
    assert fake_helm.calls()[0]["stdin"] == "auth:\n  existingSecret: web-auth"


async def test_install_runs_the_approved_chart_version_and_plans_an_uninstall(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    installed = release(
        version=1, chart_version="1.3.0", config={}, manifest_text=manifest(("Deployment", "web"))
    )
    fake_helm.expect(
        ["install", "web", "bitnami/nginx", "--version=1.3.0", "--output=json", *DEV], stdout=installed
    )
    op = make_ops()["helm_install"]
    bound = dataclasses.replace(ctx, binding={"chart_version": "1.3.0"})
    result = await op.run(op.parse_args({"name": "web", "chart": "bitnami/nginx"}), bound)
    assert result.status is Status.OK, result.text
    assert result.undo is not None
    assert (result.undo.operation, dict(result.undo.args)) == (
        "helm_uninstall",
        {"name": "web", "namespace": "apps", "cluster": None},
    )


async def test_upgrade_preview_shows_versions_values_and_object_changes(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    after = release(
        version=4,
        chart_version="1.4.0",
        status="pending-upgrade",
        config={"auth": {"password": "an0ther-Secret-value"}, "image": {"tag": "1.27"}},
        manifest_text=manifest(("Secret", "web"), ("Deployment", "web"), ("Service", "web"), replicas=1),
    )
    after["manifest"] = after["manifest"].replace(SECRET, "an0ther-Secret-value")
    fake_helm.expect(["status", "web", "--output=json", *DEV], stdout=CURRENT)
    fake_helm.expect(
        [
            "upgrade",
            "web",
            "bitnami/nginx",
            "--set=image.tag=1.27",
            "--dry-run=server",
            "--output=json",
            *DEV,
        ],
        stdout=after,
    )
    op = make_ops()["helm_upgrade"]
    assert op.preview is not None
    preview = await op.preview(
        op.parse_args({"name": "web", "chart": "bitnami/nginx", "set": {"image.tag": "1.27"}}), ctx
    )
    assert preview.ok, preview.text
    lines = preview.text.splitlines()
    assert (
        lines[0]
        == "Upgrade release web in namespace apps on dev: chart nginx 1.2.3 → nginx 1.4.0, revision 3 → 4."
    )
    assert lines[1] == "Values: ~auth.password: changed, ~image.tag: 1.25 → 1.27, -replicas"
    assert (
        lines[2] == "Objects: create: Service/web; change: Secret/web; delete: ConfigMap/web-old; 1 unchanged"
    )
    assert preview.binding == {"revision": "3", "chart_version": "1.4.0"}
    assert "an0ther-Secret-value" not in preview.text and SECRET not in preview.text


async def test_upgrade_stops_when_the_release_moved_on_after_the_preview(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    fake_helm.expect(["status", "web", "--output=json", *DEV], stdout=CURRENT)
    op = make_ops()["helm_upgrade"]
    stale = dataclasses.replace(ctx, binding={"revision": "2", "chart_version": "1.4.0"})
    result = await op.run(op.parse_args({"name": "web", "chart": "bitnami/nginx"}), stale)
    assert result.status is Status.ERROR
    assert "changed since the preview (revision 2 → 3)" in result.text
    assert fake_helm.argvs() == [["status", "web", "--output=json", *DEV]]


async def test_upgrade_plans_a_rollback_to_the_previous_revision(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    upgraded = release(version=4, chart_version="1.4.0", config={}, manifest_text="")
    fake_helm.expect(["status", "web", "--output=json", *DEV], stdout=CURRENT)
    fake_helm.expect(
        ["upgrade", "web", "bitnami/nginx", "--version=1.4.0", "--output=json", *DEV], stdout=upgraded
    )
    op = make_ops()["helm_upgrade"]
    bound = dataclasses.replace(ctx, binding={"revision": "3", "chart_version": "1.4.0"})
    result = await op.run(op.parse_args({"name": "web", "chart": "bitnami/nginx"}), bound)
    assert result.status is Status.OK, result.text
    assert result.undo is not None
    assert result.undo.operation == "helm_rollback"
    assert result.undo.args["revision"] == 3
    assert result.prior_state == {"revision": 3, "chart": "nginx 1.2.3"}


HISTORY = [
    {
        "revision": 1,
        "updated": "2025-01-01T10:00:00Z",
        "status": "superseded",
        "chart": "nginx-1.2.0",
        "app_version": "1.25.0",
        "description": "Install complete",
    },
    {
        "revision": 2,
        "updated": "2025-01-01T11:00:00Z",
        "status": "superseded",
        "chart": "nginx-1.2.2",
        "app_version": "1.25.0",
        "description": "Upgrade complete",
    },
    {
        "revision": 3,
        "updated": "2025-01-02T10:00:00Z",
        "status": "deployed",
        "chart": "nginx-1.2.3",
        "app_version": "1.25.0",
        "description": "Upgrade complete",
    },
]


async def test_rollback_preview_names_the_revision_it_returns_to(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    fake_helm.expect(["history", "web", "--max=100", "--output=json", *DEV], stdout=HISTORY)
    fake_helm.expect(["get", "manifest", "web", *DEV], stdout=CURRENT["manifest"])
    revision_2 = manifest(("Secret", "web"), ("Deployment", "web"), replicas=0)
    fake_helm.expect(["get", "manifest", "web", "--revision=2", *DEV], stdout=revision_2)
    op = make_ops()["helm_rollback"]
    assert op.preview is not None
    preview = await op.preview(op.parse_args({"name": "web"}), ctx)
    assert preview.text.splitlines() == [
        "Roll back release web in namespace apps on dev from revision 3 (nginx-1.2.3, deployed) "
        "to revision 2 (nginx-1.2.2, superseded, 2025-01-01T11:00:00Z).",
        "Runs: `helm rollback web --namespace=apps --kube-context=dev-admin`",
        "= Secret/web in apps (unchanged)",
        "~ Deployment/web in apps (changed)",
        "    spec.replicas: 1 → 0",
        "- ConfigMap/web-old in apps (deleted)",
    ]
    assert preview.binding == {"revision": "3"}
    missing = await op.preview(op.parse_args({"name": "web", "revision": 7}), ctx)
    assert not missing.ok
    assert "no earlier revision 7 to roll back to (known: 1, 2)" in missing.text


async def test_rollback_runs_and_plans_the_way_back(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    fake_helm.expect(["status", "web", "--output=json", *DEV], stdout=CURRENT)
    fake_helm.expect(["rollback", "web", "1", *DEV], stdout="Rollback was a success! Happy Helming!\n")
    op = make_ops()["helm_rollback"]
    result = await op.run(
        op.parse_args({"name": "web", "revision": 1}), dataclasses.replace(ctx, binding={"revision": "3"})
    )
    assert result.status is Status.OK, result.text
    assert result.text == "Rolled back web in apps from revision 3 to revision 1."
    assert result.undo is not None and result.undo.args["revision"] == 3


async def test_uninstall_preview_lists_what_is_deleted(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    fake_helm.expect(["status", "web", "--output=json", *DEV], stdout=CURRENT)
    fake_helm.expect(["uninstall", "web", *DEV], stdout='release "web" uninstalled\n')
    op = make_ops()["helm_uninstall"]
    args = op.parse_args({"name": "web"})
    assert op.preview is not None
    preview = await op.preview(args, ctx)
    assert preview.text.splitlines() == [
        "Uninstall release web (revision 3, chart nginx 1.2.3) from namespace apps on dev. "
        "Deletes 3 objects: 1 ConfigMap (web-old); 1 Deployment (web); 1 Secret (web)",
        "Runs: `helm uninstall web --namespace=apps --kube-context=dev-admin`",
        "- Secret/web in apps (deleted)",
        "- Deployment/web in apps (deleted)",
        "- ConfigMap/web-old in apps (deleted)",
    ]
    assert {e.action for e in preview.effects} == {"delete"}
    result = await op.run(args, dataclasses.replace(ctx, binding=preview.binding))
    assert result.status is Status.OK
    assert result.text == "Uninstalled web from apps."


async def test_a_missing_release_is_refused_in_the_preview(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    fake_helm.expect(["status", "gone", "--output=json", *DEV], stderr="Error: release: not found\n", exit=1)
    op = make_ops()["helm_uninstall"]
    assert op.preview is not None
    preview = await op.preview(op.parse_args({"name": "gone"}), ctx)
    assert not preview.ok
    assert preview.text == "release gone was not found in namespace apps on dev"


async def test_helm_errors_name_the_command_and_helms_own_error_line(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    stderr = (
        "WARNING: something\nError: Kubernetes cluster unreachable: dial tcp 10.0.0.1:6443: i/o timeout\n"
    )
    fake_helm.expect(["history", "web", "--max=10", "--output=json", *DEV], stderr=stderr, exit=1)
    op = make_ops()["helm_history"]
    result = await op.run(op.parse_args({"name": "web"}), ctx)
    assert result.status is Status.ERROR
    assert result.text == (
        "helm history web failed: "
        "`helm history web --max=10 --output=json --namespace=apps --kube-context=dev-admin` "
        "failed (exit code 1): Error: Kubernetes cluster unreachable: dial tcp 10.0.0.1:6443: i/o timeout"
    )


async def test_a_missing_helm_binary_says_how_to_fix_it(
    make_ops: OpsFactory, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ctx: RunContext
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    op = make_ops()["helm_list"]
    result = await op.run(op.parse_args({}), ctx)
    assert result.status is Status.ERROR
    assert result.text == (
        "helm list failed: helm was not found (looked for 'helm' on PATH); "
        "install it or set helm.binary in the config"
    )


async def test_an_unknown_cluster_is_one_sentence(
    make_ops: OpsFactory, fake_helm: FakeCli, ctx: RunContext
) -> None:
    op = make_ops()["helm_status"]
    result = await op.run(op.parse_args({"name": "web", "cluster": "mars"}), ctx)
    assert result.text == "helm status web failed: unknown cluster 'mars' (known: dev, prod)"
    assert fake_helm.calls() == []
