"""A secret typed in chat is refused with what to do instead, and no card, row or history holds it."""

from __future__ import annotations

import dataclasses
import json

import pytest

from bot.app import build_app
from bot.domain.models import IncomingMessage, Principal
from storage.records import AuditFilter
from tests.core.fixtures import make_config
from tests.fake_k8s.server import FakeKubernetes
from tools.effects.typed import typed_secret_in_manifest, typed_secret_in_set, typed_secret_in_values
from tools.kubernetes.clusters import ClusterSet

ADA = Principal("slack", "UADA", "Ada")
SECRET = "Zq8-hunter2-Pl9x"
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"

ENV_MANIFEST = f"""!apply -n prod
```yaml
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  template:
    spec:
      containers:
      - name: nginx
        image: nginx:1.25.3
        env:
        - name: DB_PASSWORD
          value: {SECRET}
```"""

CONFIGMAP = f"""!apply -n prod
```yaml
apiVersion: v1
kind: ConfigMap
metadata: {{name: settings}}
data:
  github: {TOKEN}
```"""

COMMANDS = {
    "env": (f"!create deployment tool --image busybox --env DB_PASSWORD={SECRET} -n prod", SECRET),
    "manifest-env": (ENV_MANIFEST, SECRET),
    "manifest-token": (CONFIGMAP, TOKEN),
    "helm-set": (f"!helm install db bitnami/postgresql --set auth.rootPassword={SECRET}", SECRET),
    "helm-values": (
        f"!helm upgrade db bitnami/postgresql\n```yaml\nauth:\n  password: {SECRET}\n```",
        SECRET,
    ),
}


@pytest.fixture
async def app(sqlite_url: str, fake_cluster_set: ClusterSet):
    config = make_config(sqlite_url, policy={"roles": {"admin": {"members": ["slack:user:UADA"]}}})
    built = await build_app(config, clusters=fake_cluster_set)
    try:
        yield built
    finally:
        await built.close()


@pytest.mark.parametrize("case", sorted(COMMANDS))
async def test_a_typed_secret_is_refused_and_never_kept(app, fake_k8s: FakeKubernetes, case: str) -> None:
    command, secret = COMMANDS[case]
    replies = await app.router.handle(IncomingMessage(ADA, "C1", command))
    text = "\n".join(r.text + (r.code or "") for r in replies)
    assert "put it in a Kubernetes Secret and reference it" in text, text
    assert secret not in text and not any(r.approval_id for r in replies)
    assert fake_k8s.mutations() == []
    audit = await app.store.list_audit(AuditFilter())
    assert audit and secret not in json.dumps([dataclasses.asdict(a) for a in audit], default=str)
    history = await app.store.recent_for_user(platform="slack", user_id="UADA")
    assert history and secret not in json.dumps([dataclasses.asdict(m) for m in history], default=str)


def test_references_and_placeholders_are_not_secrets() -> None:
    assert typed_secret_in_set("auth.existingSecret", "db-auth") is None
    assert typed_secret_in_set("auth.password", "") is None
    assert typed_secret_in_set("image.tag", "1.27") is None
    assert typed_secret_in_values({"auth": {"existingSecret": "db-auth", "username": "app"}}) is None
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {example.com/owner: team-a}}\n"
        "spec:\n  containers:\n  - name: c\n    image: busybox\n    env:\n    - name: DB_PASSWORD\n"
        "      valueFrom: {secretKeyRef: {name: db, key: password}}\n"
    )
    assert typed_secret_in_manifest(manifest) is None
