"""`chatops cluster add`: checks the context works, stores only that context with 0600, refuses junk."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import yaml

from bot.runtime.cli import main
from tests.fake_k8s.server import FakeKubernetes


def cli(*args: str) -> int:
    return main(list(args))


async def test_add_a_reachable_cluster(
    tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path, capsys
) -> None:
    managed = tmp_path / "managed"
    code = await asyncio.to_thread(
        cli,
        "--config",
        "/dev/null",
        "cluster",
        "add",
        "staging",
        "--kubeconfig",
        str(fake_kubeconfig),
        "--directory",
        str(managed),
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    stored = managed / "staging.kubeconfig"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    document = yaml.safe_load(stored.read_text())
    assert [c["name"] for c in document["contexts"]] == ["fake"] and document["current-context"] == "fake"
    assert "credentials work" in out and fake_k8s.token not in out + err
    again = await asyncio.to_thread(
        cli,
        "--config",
        "/dev/null",
        "cluster",
        "add",
        "staging",
        "--kubeconfig",
        str(fake_kubeconfig),
        "--directory",
        str(managed),
    )
    assert again == 2 and "already exists" in capsys.readouterr().err


async def test_refuses_unknown_context_and_unreachable_cluster(
    tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path, capsys
) -> None:
    managed = tmp_path / "managed"
    code = await asyncio.to_thread(
        cli,
        "--config",
        "/dev/null",
        "cluster",
        "add",
        "x",
        "--kubeconfig",
        str(fake_kubeconfig),
        "--context",
        "nope",
        "--directory",
        str(managed),
    )
    assert code == 2 and "context 'nope' is not in the kubeconfig" in capsys.readouterr().err
    await fake_k8s.stop()
    code = await asyncio.to_thread(
        cli,
        "--config",
        "/dev/null",
        "cluster",
        "add",
        "x",
        "--kubeconfig",
        str(fake_kubeconfig),
        "--directory",
        str(managed),
    )
    assert code == 1 and "not added" in capsys.readouterr().err
    assert not (managed / "x.kubeconfig").exists()
