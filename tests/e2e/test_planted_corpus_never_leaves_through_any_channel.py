"""236 planted secrets in 68 shapes and 10 places never leave the bot, through any channel.

The whole bot runs: router, agent with the real OpenAI client against the fake
model, executor, approvals, storage, the real kubernetes client against the
fake API and the Helm tools against a fake helm. The scripted model asks for
everything (describe, get, logs, events, node, ConfigMap, Helm status,
history, values), then asks for a change whose preview touches secret
values (apply, Helm upgrade), which an admin approves. Nothing planted may
appear in the model's requests, the replies, the history, the approvals, the
audit rows, the database (rows and, on SQLite, the file's bytes) or the log lines.
"""

from __future__ import annotations

import io
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import build_app
from bot.domain.logging_setup import RedactingJsonFormatter
from bot.domain.models import IncomingMessage, Principal
from bot.domain.render import render_text
from tests.core.fixtures import make_config
from tests.e2e import leak_corpus
from tests.fake_k8s import builders as b
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_llm.plugin import fake_llm  # noqa: F401  (fixture)
from tests.fake_llm.server import FakeLLM
from tests.fake_llm.steps import Call, Say
from tests.fakes.bin.fakecli import FakeCli, install_fake
from tools.kubernetes.clusters import ClusterSet

NS = "leaks"
ADMIN = Principal("slack", "U_ADMIN", "Ada", ())
ROLES = {"roles": {"admin": {"members": ["slack:user:U_ADMIN"]}}}
KUBE = [f"--namespace={NS}", "--kube-context=fake"]
TABLES = ("audit_events", "messages", "approvals")

CORPUS = leak_corpus.build()


def _plant_cluster(fake: FakeKubernetes) -> str:
    fake.add(b.namespace(NS))
    container = b.container(
        "shop", "ghcr.io/acme/shop:2.3.1", port=8080, readiness_path="/ready", env=CORPUS.env
    )
    container["args"] = CORPUS.args
    container["command"] = CORPUS.command
    deployment = b.deployment("shop", NS, replicas=1, containers=[container])
    deployment["metadata"]["annotations"] = dict(CORPUS.annotations)
    fake.add(deployment, reconcile=True)
    pod = next(p["metadata"]["name"] for p in fake.objects("Pod", NS))
    fake.logs.add(NS, pod, CORPUS.log_lines, container="shop")
    fake.add(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "shop-config", "namespace": NS, "annotations": dict(CORPUS.annotations)},
            "data": dict(CORPUS.config_files),
        }
    )
    for i, message in enumerate(CORPUS.event_messages):
        fake.add(b.event(NS, kind="Pod", name=pod, reason=f"ProbeOutput{i}", message=message, count=i + 1))
    node = b.node("node-leaky", ready=True, ip="192.168.49.9")
    node["metadata"]["annotations"] = dict(CORPUS.node_annotations)
    fake.add(node)
    return pod


def _release(version: int, values: dict[str, Any], notes: str) -> dict[str, Any]:
    secret_doc = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: shop\ntype: Opaque\nstringData:\n  password: from-values\n"
    return {
        "name": "shop",
        "namespace": NS,
        "version": version,
        "info": {
            "first_deployed": "2026-12-01T10:00:00Z",
            "last_deployed": "2026-12-02T10:00:00Z",
            "description": CORPUS.history[-1],
            "status": "deployed",
            "notes": notes,
        },
        "chart": {"metadata": {"name": "shop", "version": "1.0.0", "appVersion": "2.3.1"}},
        "config": values,
        "manifest": "---\n"
        + secret_doc
        + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shop\n",
    }


def _plant_helm(fake: FakeCli) -> None:
    notes = "\n".join(CORPUS.notes)
    current = _release(3, CORPUS.helm_values, notes)
    upgraded = _release(4, CORPUS.helm_values_next, notes)
    history = [
        {
            "revision": i + 1,
            "updated": "2026-12-02T10:00:00Z",
            "status": "superseded",
            "chart": "shop-1.0.0",
            "app_version": "2.3.1",
            "description": text,
        }
        for i, text in enumerate(CORPUS.history)
    ]
    fake.expect(["status", "shop", "--output=json", *KUBE], stdout=current)
    fake.expect(["history", "shop", "--max=100", "--output=json", *KUBE], stdout=history)
    fake.expect(["get", "values", "shop", "--all", "--output=json", *KUBE], stdout=CORPUS.helm_values)
    upgrade = ["upgrade", "shop", "bitnami/shop", "--set=image.tag=2.4.0"]
    fake.expect([*upgrade, "--dry-run=server", "--output=json", *KUBE], stdout=upgraded)
    # Before running, the dry run is repeated with the chart version the approver saw (it must
    # show the same effect); the run pins that version too.
    fake.expect([*upgrade, "--version=1.0.0", "--dry-run=server", "--output=json", *KUBE], stdout=upgraded)
    fake.expect([*upgrade, "--version=1.0.0", "--output=json", *KUBE], stdout=upgraded)


def _script(pod: str) -> list[Call | Say]:
    def k8s(op: str, **args: Any) -> tuple[str, dict[str, Any]]:
        return ("k8s_read", {"operation": op, "args": {"namespace": NS, **args}})

    def helm(op: str, **args: Any) -> tuple[str, dict[str, Any]]:
        return ("helm_read", {"operation": op, "args": {"namespace": NS, **args}})

    return [
        Call(
            (
                k8s("k8s_describe", kind="deployment", name="shop"),
                k8s("k8s_get", kind="deployment", name="shop"),
                k8s("k8s_describe", kind="configmap", name="shop-config"),
                k8s("k8s_logs", name=pod, tail=500),
                k8s("k8s_get", kind="event"),
                ("k8s_read", {"operation": "k8s_describe", "args": {"kind": "node", "name": "node-leaky"}}),
                k8s("k8s_describe", kind="pod", name=pod),
                k8s("k8s_diagnose", kind="deployment", name="shop"),
            )
        ),
        Say("Read the shop deployment, its config, logs, events and node."),
        Call(
            (
                helm("helm_status", name="shop"),
                helm("helm_history", name="shop", max=100),
                helm("helm_get_values", name="shop", all=True),
            )
        ),
        Say("Read the shop release."),
    ]


def _apply_manifest() -> str:
    # The model never saw the secret values: it can only add or change ordinary ones.
    env = [{"name": "LOG_LEVEL", "value": "debug"}]
    doc = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "shop", "namespace": NS},
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "shop", "image": "ghcr.io/acme/shop:2.3.1", "env": env}]}
            }
        },
    }
    return json.dumps(doc)


async def test_no_planted_secret_leaves_through_any_channel(
    database_url: str,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
    fake_llm: FakeLLM,  # noqa: F811  (fixture)
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = database_url
    pod = _plant_cluster(fake_k8s)
    helm = install_fake(tmp_path / "bin", "helm")
    monkeypatch.setenv("PATH", f"{helm.path.parent}:{os.environ.get('PATH', '')}")
    _plant_helm(helm)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingJsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    config = make_config(
        url,
        llm={"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 10},
        policy=ROLES,
        limits={"messages_per_minute": 1000, "llm_calls_per_minute": 1000},
        helm={
            "binary": "helm",
            "repositories": {"bitnami": "https://charts.bitnami.com/bitnami"},
            "chart_dir": str(tmp_path / "charts"),
        },
    )
    app = await build_app(config, clusters=fake_cluster_set)
    shown: list[str] = []

    async def say(text: str) -> None:
        for reply in await app.router.handle(IncomingMessage(ADMIN, "ops", text, thread="T1")):
            shown.append(render_text(reply))
            if reply.approval_id:
                for done in await app.router.handle(
                    IncomingMessage(ADMIN, "ops", f"!approve {reply.approval_id}")
                ):
                    shown.append(render_text(done))

    try:
        for step in _script(pod):
            fake_llm.push(step)
        await say("show me everything about the shop deployment in leaks")
        await say("and its helm release")
        fake_llm.push(Call.one("k8s_change", "k8s_apply", {"namespace": NS, "manifest": _apply_manifest()}))
        fake_llm.push(Say("Asked to apply."))
        await say("turn on debug logging for shop")
        fake_llm.push(
            Call.one(
                "helm_change",
                "helm_upgrade",
                {"namespace": NS, "name": "shop", "chart": "bitnami/shop", "set": {"image.tag": "2.4.0"}},
            )
        )
        fake_llm.push(Say("Asked to upgrade."))
        await say("upgrade shop to 2.4.0")
        for command in (
            "!describe deployment shop -n leaks",
            "!describe configmap shop-config -n leaks",
            f"!logs {pod} -n leaks --tail 500",
            "!get events -n leaks",
            "!describe node node-leaky",
            "!history",
            "!audit",
        ):
            await say(command)
    finally:
        await app.close()
        root.removeHandler(handler)
        root.setLevel(old_level)

    engine = create_async_engine(url)
    async with engine.connect() as conn:
        stored = [
            str(row)
            for table in TABLES
            for row in (await conn.execute(sa.text(f"SELECT * FROM {table}"))).all()
        ]
    await engine.dispose()
    channels = {
        "model requests": "\n".join(r.raw for r in fake_llm.requests),
        "replies": "\n".join(shown),
        "database rows": "\n".join(stored),
        "log lines": stream.getvalue(),
    }
    if url.startswith("sqlite"):
        db_file = Path(url.split("///", 1)[1])
        channels["database file"] = "".join(
            p.read_bytes().decode("latin-1") for p in db_file.parent.glob(db_file.name + "*")
        )
    # The places were really read: their non-secret parts reached the model.
    model = channels["model requests"]
    for evidence in (
        "probe output",
        "ghcr.io/acme/shop",
        "shop-config",
        "node-leaky",
        "Upgrade",
        "extraEnvVars",
    ):
        assert evidence in model, evidence
    assert any("~extraEnvVars: changed" in s for s in shown), "previews say 'changed' for secret values"
    assert any("Upgraded shop" in s for s in shown) and any(
        "deployment/shop in leaks configured" in s for s in shown
    )
    leaks = {
        channel: sorted({p.shape + " @ " + p.place for p in CORPUS.planted for n in p.needles if n in text})
        for channel, text in channels.items()
    }
    print(
        f"{len(CORPUS.planted)} planted secrets, {len({p.shape for p in CORPUS.planted})} shapes, "
        f"{len({p.place for p in CORPUS.planted})} places; leaks per channel: "
        + ", ".join(f"{c}={len(v)}" for c, v in leaks.items())
    )
    assert len(CORPUS.planted) >= 150
    assert {c: v for c, v in leaks.items() if v} == {}, json.dumps(leaks, indent=1)
