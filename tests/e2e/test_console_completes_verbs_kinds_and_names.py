"""Tab completion: verbs, kinds, and names read through the executor (policy-checked, audited,
reads only) against the fake API."""

from __future__ import annotations

from pathlib import Path

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from bot.adapters.console.completion import CommandCompleter
from bot.app import build_app
from storage.records import AuditFilter
from tests.core.fixtures import Apps, make_config
from tests.fake_k8s.server import FakeKubernetes
from tools.kubernetes.clusters import ClusterSet


async def complete(completer: CommandCompleter, text: str) -> list[str]:
    found = completer.get_completions_async(Document(text), CompleteEvent(completion_requested=True))
    return [c.text async for c in found]


async def test_verbs_kinds_and_names(
    apps: Apps, tmp_path: Path, fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet
) -> None:
    app = apps.keep(
        await build_app(make_config(f"sqlite+aiosqlite:///{tmp_path / 'c.db'}"), clusters=fake_cluster_set)
    )
    await app.store.set_channel_settings(platform="console", channel="ops", namespace="prod")
    completer = CommandCompleter(app, user="alice", channel="ops")
    assert "!get" in await complete(completer, "!ge")
    assert {"!rollout", "!restart"} <= set(await complete(completer, "!r"))
    assert {"deploy", "deployment", "deployments"} <= set(await complete(completer, "!get dep"))
    names = await complete(completer, "!describe deploy w")
    assert names == ["web"]
    assert "api" in await complete(completer, "!scale deployment/a")
    fake_k8s.reset_requests()
    await complete(completer, "!describe deploy w")  # cached: no second read
    assert fake_k8s.requests == []
    assert fake_k8s.mutations() == []
    rows = await app.store.list_audit(AuditFilter(limit=200))
    assert any(r.operation == "k8s_get" and r.event == "execution.finished" for r in rows)
