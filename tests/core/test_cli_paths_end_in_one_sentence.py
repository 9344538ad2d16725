"""Every CLI path ends in one sentence: broken pipes, bad kubeconfigs (each cluster on its own),
a dead model with its cause, missing tokens named, helm/minikube missing or too old, the audit
list's header and its --status words, and `cluster add` keeping the context's namespace."""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.app import build_app, managed_clusters
from bot.domain.models import IncomingMessage, Principal
from bot.runtime.audit_cli import run_audit_command
from bot.runtime.check import run_check
from bot.runtime.cluster_cli import add_cluster
from bot.settings.config import load_config
from tests.core.demo_ops import Backend, demo_operations
from tests.core.fixtures import Apps, make_config
from tests.fake_k8s.server import FakeKubernetes
from tests.fakes.bin.fakecli import install_fake
from tools.kubernetes.clusters import ClusterSet

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(
        f"storage: {{url: 'sqlite+aiosqlite:///{tmp_path / 'x.db'}'}}\ncluster_dir: '{tmp_path / 'managed'}'\n"
        + extra
    )
    return path


async def _check(config: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> tuple[int, str]:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = io.StringIO()
    code = await run_check(load_config(config, env=dict(os.environ), require_secrets=False), out)
    return code, out.getvalue()


async def test_a_nonexistent_kubeconfig_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, text = await _check(_config(tmp_path), monkeypatch, KUBECONFIG=str(tmp_path / "nonexistent"))
    assert code == 1
    assert f"kubeconfig: PROBLEM — KUBECONFIG names {tmp_path / 'nonexistent'}, which does not exist" in text
    assert "or set KUBECONFIG" not in text


@pytest.mark.parametrize("garbage", ["{{{ not yaml", "just a string\n", "apiVersion: v1\nkind: Config\n"])
async def test_a_garbage_kubeconfig_fails_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, garbage: str
) -> None:
    bad = tmp_path / "garbage"
    bad.write_text(garbage)
    code, text = await _check(_config(tmp_path), monkeypatch, KUBECONFIG=str(bad))
    assert code == 1 and "kubeconfig: PROBLEM" in text and "none configured" not in text
    assert "Traceback" not in text


async def test_each_cluster_is_checked_on_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    broken = tmp_path / "broken.kubeconfig"
    broken.write_text("clusters: [ {{{ unparseable")
    config = _config(
        tmp_path,
        f"clusters:\n  - {{name: broken, kubeconfig: '{broken}'}}\n"
        f"  - {{name: fake, kubeconfig: '{fake_kubeconfig}', context: fake}}\n",
    )
    code, text = await _check(config, monkeypatch)
    assert code == 1
    assert "cluster broken: PROBLEM — cluster broken: kubeconfig" in text and "could not be loaded" in text
    assert "cluster fake: ok — reachable" in text
    assert "llm:" in text and "helm:" in text  # the check went on after the broken one


async def test_a_broken_kubeconfig_is_one_sentence_in_chat(apps: Apps, tmp_path: Path) -> None:
    broken = tmp_path / "broken.kubeconfig"
    broken.write_text("clusters: [ {{{ unparseable")
    from tools.kubernetes.clusters import ClusterConfig

    loaded = make_config(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}")
    app = apps.keep(
        await build_app(loaded, clusters=ClusterSet([ClusterConfig(name="broken", kubeconfig=broken)]))
    )
    replies = await app.router.handle(IncomingMessage(Principal("console", "a", "A"), "ops", "!get pods"))
    assert len(replies) == 1 and "could not be loaded" in replies[0].text
    assert "Traceback" not in replies[0].text and "\n" not in replies[0].text.split("\n", 1)[-1]


async def test_missing_chat_tokens_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-test")
    monkeypatch.delenv("DISCORD_BOT_TOKEN", raising=False)
    config = _config(tmp_path, "slack: {enabled: true, mode: socket}\ndiscord: {enabled: true}\n")
    code, text = await _check(config, monkeypatch)
    assert code == 1
    assert "slack: PROBLEM — enabled (socket mode); missing SLACK_BOT_TOKEN" in text
    assert "discord: PROBLEM — enabled; missing DISCORD_BOT_TOKEN" in text


async def test_helm_and_minikube_versions_missing_or_too_old(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = install_fake(tmp_path / "bin", "minikube")
    old.expect(["version", "--short"], stdout="v1.10.1\n")
    helm = ROOT / ".bin" / "helm"
    config = _config(tmp_path, f"helm: {{binary: '{helm}'}}\nminikube: {{binary: '{old.path}'}}\n")
    code, text = await _check(config, monkeypatch)
    assert code == 1
    assert "helm: ok — helm v" in text
    assert "minikube: PROBLEM — minikube v1.10.1 is too old" in text and "set minikube.binary" in text
    config = _config(tmp_path, f"minikube: {{binary: '{tmp_path / 'nowhere' / 'minikube'}'}}\n")
    code, text = await _check(config, monkeypatch)
    assert "minikube: - — minikube was not found" in text and "set minikube.binary in the config" in text


async def test_a_dead_model_is_reported_with_its_cause(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, "llm: {model: tiny, base_url: 'http://127.0.0.1:9/v1', timeout_s: 3}\n")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    code, text = await _check(config, monkeypatch)
    line = next(line for line in text.splitlines() if line.startswith("llm:"))
    assert code == 1 and "does not answer" in line
    assert "Connect" in line or "refused" in line, line
    assert "chatops check" not in line


def test_urllib3_retry_warnings_stay_out_of_chat() -> None:
    import tools.kubernetes.client  # noqa: F401  (sets the level)

    assert logging.getLogger("urllib3.connectionpool").getEffectiveLevel() >= logging.ERROR


async def _filled_database(url: str, messages: int) -> None:
    app = await build_app(
        make_config(url, limits={"messages_per_minute": 100_000}),
        operations=demo_operations(Backend()),
        clusters=ClusterSet([]),
    )
    try:
        for _ in range(messages):
            await app.router.handle(IncomingMessage(Principal("console", "a", "A"), "ops", "!demo get"))
    finally:
        await app.close()


async def test_audit_list_into_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    await _filled_database(url, 150)  # several hundred rows: more than a pipe buffer holds
    env = {**os.environ, "CHATOPS_DATABASE_URL": url}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "audit", "list", env=env, cwd=ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    first = await process.stdout.readline()
    assert first.split()[:3] == [b"SEQ", b"TIME", b"EVENT"]
    process.stdout.feed_eof()
    process._transport.get_pipe_transport(1).close()  # type: ignore[attr-defined]  # like `head` leaving
    stderr = await process.stderr.read()
    assert await process.wait() == 0
    assert stderr == b"", stderr


async def test_audit_status_takes_the_cards_words(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    await _filled_database(url, 1)
    loaded = make_config(url)
    names = dict(user=None, channel=None, since=None, until=None, operation=None, event=None, limit=None)
    out = io.StringIO()
    args = argparse.Namespace(audit_command="list", status="succeeded", **names)
    assert await run_audit_command(loaded, args, out) == 0
    rows = out.getvalue().splitlines()
    assert rows[0].split()[0] == "SEQ" and len(rows) > 1 and all(" ok " in r for r in rows[1:])
    bad = argparse.Namespace(audit_command="list", status="greenish", **names)
    assert await run_audit_command(loaded, bad, io.StringIO()) == 2


async def test_cluster_add_keeps_the_contexts_namespace(
    tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    document = yaml.safe_load(fake_kubeconfig.read_text())
    document["contexts"][0]["context"]["namespace"] = "shop"
    source = tmp_path / "with-namespace"
    source.write_text(yaml.safe_dump(document))
    directory = tmp_path / "managed"
    args = argparse.Namespace(name="shop", kubeconfig=source, context=None, directory=directory)
    assert await add_cluster(make_config(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"), args) == 0
    [cluster] = managed_clusters(directory)
    assert (cluster.name, cluster.default_namespace) == ("shop", "shop")


def test_chat_names_a_kubeconfig_that_does_not_exist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tools.kubernetes.clusters import UnknownCluster

    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "nonexistent"))
    with pytest.raises(UnknownCluster) as info:
        ClusterSet([]).get(None)
    assert f"KUBECONFIG names {tmp_path / 'nonexistent'}, which does not exist" in str(info.value)
    assert "or set KUBECONFIG" not in str(info.value)
