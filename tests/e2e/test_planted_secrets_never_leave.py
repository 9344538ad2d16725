"""Planted secrets never reach a chat reply, the history, the audit trail or a log line.

Through the whole bot (router, executor, real kubernetes client, fake API):
Secret listing and describe, a kubeconfig in a ConfigMap, an AWS key in a
deployment's env, a JWT and a PEM key in pod logs, a diagnosis, and a
deletion whose prior state holds the env values.
"""

from __future__ import annotations

import io
import logging

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import build_app
from bot.domain.logging_setup import RedactingJsonFormatter
from bot.domain.models import IncomingMessage, Principal
from bot.domain.render import render_text
from tests.core.fixtures import Apps, make_config
from tests.fake_k8s import planted
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet

COMMANDS = [
    "!get secrets -n prod",
    "!describe secret db-credentials -n prod",
    "!get configmaps -n prod",
    "!describe configmap legacy-kubeconfig -n prod",
    "!describe deployment api -n prod",
    "!get deployment api -n prod",
    "!diagnose deployment api -n prod",
    "!health",
]


async def test_nothing_planted_leaves_the_cluster(
    apps: Apps, sqlite_url: str, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingJsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    old = root.level
    root.setLevel(logging.DEBUG)
    app = apps.keep(
        await build_app(
            make_config(sqlite_url, limits={"messages_per_minute": 1000}), clusters=fake_cluster_set
        )
    )
    alice = Principal("console", "alice", "Alice")
    shown: list[str] = []
    try:
        pods = [
            p["metadata"]["name"]
            for p in fake_k8s.objects("Pod", "prod")
            if p["metadata"]["name"].startswith("api-")
        ]
        commands = [*COMMANDS, f"!logs {pods[0]} -n prod --tail 50", "!delete deployment api -n prod"]
        for text in commands:
            for reply in await app.router.handle(IncomingMessage(alice, "ops", text)):
                shown.append(render_text(reply))
                if reply.approval_id:
                    for done in await app.router.handle(
                        IncomingMessage(alice, "ops", f"!approve {reply.approval_id}")
                    ):
                        shown.append(render_text(done))
    finally:
        await apps.close(app)  # its closing words are logged too
        root.removeHandler(handler)
        root.setLevel(old)
    assert any("db-credentials" in s for s in shown) and any("deleted" in s for s in shown)
    engine = create_async_engine(sqlite_url)
    async with engine.connect() as conn:
        stored = [
            str(row)
            for table in ("audit_events", "messages", "approvals")
            for row in (await conn.execute(sa.text(f"SELECT * FROM {table}"))).all()
        ]
    await engine.dispose()
    everything = "\n".join([*shown, *stored, stream.getvalue()])
    leaked = [value for value in planted.PLANTED_VALUES if value in everything]
    assert leaked == []
