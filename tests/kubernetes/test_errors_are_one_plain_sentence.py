"""Failures come back as one readable sentence in an ERROR result, never an exception."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.fake_k8s.plugin import write_kubeconfig
from tools.base import KubeIdentity, RunContext, Status
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterConfig, ClusterSet

from .conftest import context


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_forbidden_names_identity_verb_resource_and_namespace(run, fake_k8s):
    fake_k8s.forbid(user="bob@example.com", verb="list", resource="pods", namespace="prod")
    ctx = context(identity=KubeIdentity("bob@example.com", ("dev",)))
    result = await run("k8s_get", kind="pod", namespace="prod", ctx=ctx)
    assert result.status is Status.ERROR
    assert result.text == (
        "bob@example.com may not list pods in namespace prod on cluster fake (403 Forbidden, RBAC); "
        "ask a cluster admin for that permission"
    )


async def test_unreachable_cluster_is_one_sentence(tmp_path: Path):
    port = _closed_port()
    path = write_kubeconfig(tmp_path / "kc", url=f"http://127.0.0.1:{port}", token="t")
    clusters = ClusterSet([ClusterConfig(name="gone", kubeconfig=path, context="fake")])
    op = {o.name: o for o in kubernetes_operations(clusters=clusters, request_timeout_s=2)}["k8s_get"]
    result = await op.run(op.parse_args({"kind": "pod"}), RunContext(request_id="t"))
    assert result.status is Status.ERROR
    assert result.text == (
        f"cluster gone is unreachable at http://127.0.0.1:{port}: connection refused; "
        "check the kubeconfig or the network"
    )
    assert "Traceback" not in result.text and "\n" not in result.text


async def test_bad_token_says_the_credentials_were_refused(fake_k8s, tmp_path: Path):
    path = write_kubeconfig(tmp_path / "kc", url=fake_k8s.url, token="wrong-token")
    clusters = ClusterSet([ClusterConfig(name="fake", kubeconfig=path, context="fake")])
    op = {o.name: o for o in kubernetes_operations(clusters=clusters)}["k8s_get"]
    result = await op.run(op.parse_args({"kind": "pod"}), RunContext(request_id="t"))
    assert result.status is Status.ERROR
    assert "refused the bot's credentials (401 Unauthorized)" in result.text
    assert "wrong-token" not in result.text


async def test_slow_cluster_times_out_with_a_sentence(fake_k8s, fake_cluster_set):
    fake_k8s.delay_seconds = 1.0
    op = {o.name: o for o in kubernetes_operations(clusters=fake_cluster_set, request_timeout_s=0.3)}[
        "k8s_get"
    ]
    result = await op.run(op.parse_args({"kind": "pod"}), RunContext(request_id="t"))
    assert result.status is Status.ERROR
    assert "fake" in result.text and ("timed out" in result.text or "did not answer" in result.text)


async def test_unknown_cluster_lists_the_known_ones(run, fake_k8s):
    result = await run("k8s_get", kind="pod", cluster="prod-eu")
    assert result.status is Status.ERROR
    assert result.text == "unknown cluster 'prod-eu' (known: fake)"


async def test_missing_kubeconfig_says_which_file(tmp_path: Path):
    clusters = ClusterSet([ClusterConfig(name="x", kubeconfig=tmp_path / "nope", context="x")])
    op = {o.name: o for o in kubernetes_operations(clusters=clusters)}["k8s_get"]
    result = await op.run(op.parse_args({"kind": "pod"}), RunContext(request_id="t"))
    assert result.status is Status.ERROR
    assert "could not be loaded" in result.text and str(tmp_path / "nope") in result.text


async def test_invalid_change_names_the_field(run, fake_k8s):
    result = await run(
        "k8s_apply",
        namespace="prod",
        manifest="apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: bad}\nspec:\n  replicas: -3\n"
        "  selector: {matchLabels: {app: bad}}\n  template:\n    metadata: {labels: {app: bad}}\n"
        "    spec: {containers: [{name: c, image: nginx}]}\n",
    )
    assert result.status is Status.ERROR
    assert "422" in result.text and "replicas" in result.text
