"""Pytest fixtures for the fake Kubernetes API server (registered in tests/conftest.py).

`fake_k8s`: a started, demo-seeded `FakeKubernetes` on 127.0.0.1 (random port),
stopped after the test. `fake_kubeconfig`: a kubeconfig file (context `fake`,
bearer token) pointing at it. `fake_cluster_set`: a `ClusterSet` with that one
cluster, named `fake`. The client may call the server from worker threads
(`asyncio.to_thread`) while it runs on the test's event loop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import yaml
from kubernetes.client import ApiClient
from kubernetes.config import new_client_from_config

from tests.fake_k8s.seed import seed_demo
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterConfig, ClusterSet


def write_kubeconfig(path: Path, *, url: str, token: str, context: str = "fake") -> Path:
    document = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": {"server": url}}],
        "users": [{"name": f"{context}-admin", "user": {"token": token}}],
        "contexts": [
            {
                "name": context,
                "context": {"cluster": context, "user": f"{context}-admin", "namespace": "default"},
            }
        ],
        "current-context": context,
    }
    path.write_text(yaml.safe_dump(document))
    return path


@pytest.fixture
async def fake_k8s() -> AsyncIterator[FakeKubernetes]:
    server = FakeKubernetes()
    seed_demo(server)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def fake_kubeconfig(fake_k8s: FakeKubernetes, tmp_path: Path) -> Path:
    return write_kubeconfig(tmp_path / "kubeconfig", url=fake_k8s.url, token=fake_k8s.token)


@pytest.fixture
def fake_cluster_set(fake_kubeconfig: Path) -> ClusterSet:
    return ClusterSet([ClusterConfig(name="fake", kubeconfig=fake_kubeconfig, context="fake")])


@pytest.fixture
def fake_api_client(fake_kubeconfig: Path) -> Iterator[ApiClient]:
    """A real `kubernetes.client.ApiClient` for the fake cluster (for tests of the fake itself)."""
    api_client = new_client_from_config(config_file=str(fake_kubeconfig), context="fake")
    try:
        yield api_client
    finally:
        api_client.close()
