"""Fixtures for the Helm tools: the real helm binary, a fake helm on PATH, clusters and settings."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fakes.bin.fakecli import FakeCli, install_fake
from tools.base import Operation, RunContext
from tools.helm import HelmSettings, helm_operations
from tools.kubernetes.clusters import ClusterConfig, ClusterSet

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def real_helm() -> Path:
    """The real helm (CHATOPS_TEST_HELM or .bin/helm from scripts/fetch_helm.py); CI must have it."""
    candidate = Path(os.environ.get("CHATOPS_TEST_HELM") or REPO_ROOT / ".bin" / "helm")
    if candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate.resolve()
    message = f"real helm not found at {candidate}; run `python scripts/fetch_helm.py`"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def chart_dir(tmp_path: Path) -> Path:
    path = tmp_path / "charts"
    path.mkdir()
    return path


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text("apiVersion: v1\nkind: Config\ncontexts: []\nclusters: []\nusers: []\n")
    return path


@pytest.fixture
def clusters(kubeconfig: Path) -> ClusterSet:
    return ClusterSet(
        [
            ClusterConfig(name="dev", kubeconfig=kubeconfig, context="dev-admin", default_namespace="apps"),
            ClusterConfig(
                name="prod", kubeconfig=kubeconfig, context="prod-admin", default_namespace="default"
            ),
        ]
    )


@pytest.fixture
def fake_helm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeCli:
    """A fake `helm` first on PATH that answers only the argument lists a test expects."""
    fake = install_fake(tmp_path / "bin", "helm")
    monkeypatch.setenv("PATH", f"{fake.path.parent}{os.pathsep}{os.environ.get('PATH', '')}")
    return fake


OpsFactory = Callable[..., dict[str, Operation]]


@pytest.fixture
def make_ops(chart_dir: Path, clusters: ClusterSet, tmp_path: Path) -> OpsFactory:
    def make(**overrides: Any) -> dict[str, Operation]:
        fields: dict[str, Any] = {
            "binary": "helm",
            "repositories": {
                "bitnami": "https://charts.bitnami.com/bitnami",
                "acme": "oci://registry.acme.io/charts",
            },
            "chart_dir": chart_dir,
            "timeout_s": 30,
            "home": tmp_path / "helm-home",
        }
        settings = HelmSettings(**(fields | overrides))
        return {op.name: op for op in helm_operations(settings=settings, clusters=clusters)}

    return make


@pytest.fixture
def ctx() -> RunContext:
    return RunContext(request_id="req-1")
