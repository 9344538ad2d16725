"""minikube operations against a fake minikube that checks the exact argv and answers in minikube's JSON."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tests.fakes.bin.fakecli import FakeCli, install_fake
from tools.base import Operation, RunContext, Safety, Status
from tools.minikube import MinikubeSettings, minikube_operations

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
                "Nodes": [
                    {"Name": "", "IP": "192.168.49.2", "Port": 8443, "ControlPlane": True, "Worker": True}
                ],
            },
            "Active": False,
        }
    ],
}


def event(kind: str, **data: str) -> str:
    return json.dumps(
        {
            "specversion": "1.0",
            "id": "x",
            "source": "https://minikube.sigs.k8s.io/",
            "type": f"io.k8s.sigs.minikube.{kind}",
            "datacontenttype": "application/json",
            "data": data,
        }
    )


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeCli:
    fake = install_fake(tmp_path / "bin", "minikube")
    monkeypatch.setenv("PATH", f"{fake.path.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return fake


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    path = tmp_path / "images"
    (path / "app").mkdir(parents=True)
    (path / "app" / "Dockerfile").write_text("FROM scratch\n")
    return path


def operations(build_dir: Path, **overrides: Any) -> dict[str, Operation]:
    values: dict[str, Any] = {"build_dir": build_dir, "timeout_s": 30, **overrides}
    settings = MinikubeSettings(**values)
    return {op.name: op for op in minikube_operations(settings=settings)}


@pytest.fixture
def ops(build_dir: Path) -> dict[str, Operation]:
    return operations(build_dir)


class Progress:
    def __init__(self) -> None:
        self.lines: list[str] = []

    async def __call__(self, line: str) -> None:
        self.lines.append(line)


async def test_status_reads_json_even_when_minikube_exits_non_zero(
    ops: dict[str, Operation], fake: FakeCli, ctx: RunContext
) -> None:
    stopped = {
        "Name": "dev",
        "Host": "Stopped",
        "Kubelet": "Stopped",
        "APIServer": "Stopped",
        "Kubeconfig": "Stopped",
        "Worker": False,
    }
    fake.expect(["status", "--profile=dev", "--output=json"], stdout=stopped, exit=7)
    op = ops["minikube_status"]
    result = await op.run(op.parse_args({"profile": "dev"}), ctx)
    assert result.status is Status.OK, result.text
    assert result.text == "minikube profile dev: host Stopped, API server Stopped."
    assert fake.calls()[0]["env"]["MINIKUBE_IN_STYLE"] == "false"


async def test_profiles_addons_images_and_version_are_tables(
    ops: dict[str, Operation], fake: FakeCli, ctx: RunContext
) -> None:
    fake.expect(["profile", "list", "--output=json"], stdout=PROFILES)
    fake.expect(
        ["addons", "list", "--profile=dev", "--output=json"],
        stdout={
            "ingress": {"Profile": "dev", "Status": "enabled"},
            "dashboard": {"Profile": "dev", "Status": "disabled"},
        },
    )
    fake.expect(
        ["image", "ls", "--format=json", "--profile=dev"],
        stdout=[
            {"id": "sha256:1", "repoDigests": [], "repoTags": ["registry.k8s.io/pause:3.9"], "size": "744000"}
        ],
    )
    fake.expect(["version", "--output=json"], stdout={"commit": "abc", "minikubeVersion": "v1.33.1"})
    profiles = await ops["minikube_profiles"].run(ops["minikube_profiles"].parse_args({}), ctx)
    assert profiles.table is not None
    assert profiles.table.rows == (
        ("dev", "Running", "docker", "docker", "v1.30.0", "2", "4096", "1", "192.168.49.2"),
    )
    addons = await ops["minikube_addons"].run(ops["minikube_addons"].parse_args({"profile": "dev"}), ctx)
    assert addons.text == "1 of 2 addons enabled on dev: ingress."
    images = await ops["minikube_images"].run(ops["minikube_images"].parse_args({"profile": "dev"}), ctx)
    assert images.table is not None and images.table.rows == (("registry.k8s.io/pause:3.9",),)
    version = await ops["minikube_version"].run(ops["minikube_version"].parse_args({}), ctx)
    assert version.text == "minikube v1.33.1."


async def test_start_validates_and_streams_throttled_progress(
    ops: dict[str, Operation], fake: FakeCli, ctx: RunContext
) -> None:
    steps = [
        event("step", currentstep=str(i), totalsteps="20", message=f"doing thing {i}", name="x")
        for i in range(1, 21)
    ]
    argv = [
        "start",
        "--profile=dev",
        "--cpus=2",
        "--memory=4096",
        "--disk-size=20g",
        "--kubernetes-version=v1.30.0",
        "--driver=docker",
        "--output=json",
    ]
    fake.expect(argv, lines=steps, line_delay=0.01)
    op = ops["minikube_start"]
    assert op.long_running and op.safety is Safety.WRITE
    args = op.parse_args(
        {
            "profile": "dev",
            "cpus": 2,
            "memory": "4096",
            "disk_size": "20g",
            "kubernetes_version": "v1.30.0",
            "driver": "docker",
        }
    )
    progress = Progress()
    result = await op.run(args, dataclasses.replace(ctx, progress=progress))
    assert result.status is Status.OK, result.text
    assert fake.argvs() == [argv]
    assert progress.lines[0] == "starting minikube profile dev…"
    assert progress.lines[1] == "step 1/20: doing thing 1"
    assert 2 <= len(progress.lines) < 10, "progress must be throttled, not one message per line"
    assert result.undo is not None and result.undo.operation == "minikube_stop"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ({"cpus": 0}, "greater than or equal to 1"),
        ({"memory": "lots"}, "is not a size"),
        ({"memory": "512"}, "between 1800 MB"),
        ({"disk_size": "1g; rm -rf /"}, "is not a size"),
        ({"kubernetes_version": "1.30; reboot"}, "is not valid"),
        ({"driver": "none"}, "Input should be"),
        ({"profile": "--all"}, "is not valid"),
        ({"extra_config": "kubelet.x=y"}, "Extra inputs are not permitted"),
    ],
)
async def test_start_arguments_are_validated(
    ops: dict[str, Operation], raw: dict[str, Any], reason: str
) -> None:
    with pytest.raises(ValidationError, match=reason):
        ops["minikube_start"].parse_args(raw)


async def test_a_failed_start_names_minikubes_own_reason(
    ops: dict[str, Operation], fake: FakeCli, ctx: RunContext
) -> None:
    lines = [
        event("step", currentstep="1", totalsteps="20", message="Using the docker driver", name="x"),
        event("error", exitcode="80", message="Docker is not running", name="PROVIDER_DOCKER_NOT_RUNNING"),
    ]
    fake.expect(["start", "--profile=dev", "--output=json"], lines=lines, exit=80)
    op = ops["minikube_start"]
    result = await op.run(op.parse_args({"profile": "dev"}), ctx)
    assert result.status is Status.ERROR
    assert result.text == (
        "minikube start --profile=dev failed: `minikube start --profile=dev --output=json` "
        "failed (exit code 80): Docker is not running"
    )


async def test_a_stop_that_hangs_times_out_with_a_sentence(
    build_dir: Path, fake: FakeCli, ctx: RunContext
) -> None:
    ops = operations(build_dir, timeout_s=0.5)
    fake.expect(["stop", "--profile=dev"], sleep=20)
    op = ops["minikube_stop"]
    result = await op.run(op.parse_args({"profile": "dev"}), ctx)
    assert result.status is Status.ERROR
    assert "`minikube stop --profile=dev` did not finish within 0.5 s and was stopped" in result.text


async def test_restart_is_stop_then_start(ops: dict[str, Operation], fake: FakeCli, ctx: RunContext) -> None:
    fake.expect(["stop", "--profile=dev"], stdout="Stopping node\n")
    fake.expect(
        ["start", "--profile=dev", "--output=json"],
        lines=[event("step", currentstep="1", totalsteps="1", message="Done", name="x")],
    )
    op = ops["minikube_restart"]
    result = await op.run(op.parse_args({"profile": "dev"}), ctx)
    assert result.status is Status.OK, result.text
    assert fake.argvs() == [["stop", "--profile=dev"], ["start", "--profile=dev", "--output=json"]]


async def test_addon_preview_refuses_unknown_addons_and_undo_inverts(
    ops: dict[str, Operation], fake: FakeCli, ctx: RunContext
) -> None:
    fake.expect(
        ["addons", "list", "--profile=dev", "--output=json"],
        stdout={"ingress": {"Profile": "dev", "Status": "disabled"}},
    )
    fake.expect(["addons", "enable", "ingress", "--profile=dev"], stdout="The 'ingress' addon is enabled\n")
    op = ops["minikube_addon"]
    assert op.preview is not None
    unknown = await op.preview(
        op.parse_args({"profile": "dev", "action": "enable", "addon": "bitcoin-miner"}), ctx
    )
    assert not unknown.ok and "no addon named bitcoin-miner" in unknown.text
    args = op.parse_args({"profile": "dev", "action": "enable", "addon": "ingress"})
    assert (await op.preview(args, ctx)).text == (
        "Enable addon ingress on dev (currently disabled).\nRuns: `minikube addons enable ingress --profile=dev`"
    )
    result = await op.run(args, ctx)
    assert result.undo is not None
    assert dict(result.undo.args) == {"profile": "dev", "action": "disable", "addon": "ingress"}


async def test_image_build_context_must_stay_inside_the_build_directory(
    ops: dict[str, Operation], fake: FakeCli, build_dir: Path, tmp_path: Path, ctx: RunContext
) -> None:
    (tmp_path / "secrets").mkdir()
    os.symlink(tmp_path / "secrets", build_dir / "link")
    op = ops["minikube_image_build"]
    assert op.preview is not None
    for context in ("../secrets", "/etc", "link"):
        preview = await op.preview(op.parse_args({"profile": "dev", "context": context, "tag": "app:1"}), ctx)
        assert not preview.ok and "outside" in preview.text, context
    escape = await op.preview(
        op.parse_args({"profile": "dev", "context": "app", "tag": "app:1", "file": "../../x"}), ctx
    )
    assert not escape.ok and "must be inside the build context" in escape.text
    assert fake.calls() == []
    argv = ["image", "build", "--profile=dev", "--tag=app:1", "--file=Dockerfile", str(build_dir / "app")]
    fake.expect(argv, stdout="Successfully built\n")
    result = await op.run(
        op.parse_args({"profile": "dev", "context": "app", "tag": "app:1", "file": "Dockerfile"}), ctx
    )
    assert result.status is Status.OK, result.text
    assert fake.argvs() == [argv]


async def test_image_load_takes_references_not_paths(ops: dict[str, Operation]) -> None:
    for image in ("/tmp/image.tar", "../x.tar", "--daemon=true", "a b"):
        with pytest.raises(ValidationError, match="not an image reference"):
            ops["minikube_image_load"].parse_args({"image": image})


async def test_delete_is_destructive_and_refused_for_a_missing_profile(
    ops: dict[str, Operation], fake: FakeCli, ctx: RunContext
) -> None:
    fake.expect(["profile", "list", "--output=json"], stdout=PROFILES)
    op = ops["minikube_delete"]
    assert op.safety is Safety.DESTRUCTIVE
    assert op.preview is not None
    missing = await op.preview(op.parse_args({"profile": "ghost"}), ctx)
    assert not missing.ok and missing.text == "minikube profile ghost does not exist"
    preview = await op.preview(op.parse_args({"profile": "dev"}), ctx)
    assert preview.text == (
        "Delete minikube profile dev (Running, driver docker, Kubernetes v1.30.0) and everything in it; "
        "this cannot be undone.\nRuns: `minikube delete --profile=dev`"
    )


async def test_a_missing_minikube_binary_says_how_to_fix_it(
    ops: dict[str, Operation], monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ctx: RunContext
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = await ops["minikube_version"].run(ops["minikube_version"].parse_args({}), ctx)
    assert result.text == (
        "minikube version failed: minikube was not found (looked for 'minikube' on PATH); "
        "install it or set minikube.binary in the config"
    )
