"""`chatops check` probes tool calling; `!debug` gives findings, then the model's framed analysis."""

from __future__ import annotations

from pathlib import Path

from bot.agent.probe import probe_model
from bot.app import build_app
from bot.settings.config import LoadedConfig, Secrets, parse_settings
from tests.agent.conftest import ADMIN, ROLES, ask
from tests.core.fixtures import make_config
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_llm import Call, Fail, FakeLLM, Say
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterSet


def llm_config(fake: FakeLLM) -> LoadedConfig:
    settings = parse_settings({"llm": {"model": "fake-model", "base_url": fake.base_url, "timeout_s": 2}})
    return LoadedConfig(settings=settings, secrets=Secrets(), source=None)


async def test_the_probe_passes_only_when_the_model_calls_the_tool(fake_llm: FakeLLM) -> None:
    fake_llm.push(Call((("ping", {"ok": True}),)), Say("pong"), Fail(401))
    assert (await probe_model(llm_config(fake_llm)))[0] is True
    assert fake_llm.requests[0].body["tool_choice"]["function"]["name"] == "ping"
    ok, text = await probe_model(llm_config(fake_llm))
    assert not ok and "did not call a tool" in text
    ok, text = await probe_model(llm_config(fake_llm))
    assert not ok and "OPENAI_API_KEY" in text


async def test_debug_shows_findings_then_the_models_framed_analysis(
    fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    config = make_config(
        f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}",
        llm={"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 5},
        policy=ROLES,
    )
    app = await build_app(
        config, operations=kubernetes_operations(clusters=fake_cluster_set), clusters=fake_cluster_set
    )
    try:
        fake_llm.push(Say("1. The image cannot be pulled. Fix the tag with !set image ..."))
        replies = await app.router.handle(ask("!debug pod worker-imagepull -n prod", who=ADMIN))
    finally:
        await app.close()
    assert "k8s_diagnose" in replies[0].text and "ImagePull" in replies[0].text + str(replies[0].code)
    assert replies[-1].text.startswith("Analysis (language model; check before acting):\n> 1. The image")
    sent = fake_llm.requests[0]
    assert sent.messages[0]["content"].startswith("You are helping an engineer debug")
    assert '<untrusted-data source="k8s_diagnose">' in sent.messages[1]["content"]
    assert "Commands:\n- !" in sent.messages[1]["content"]


async def test_analyze_shows_deterministic_findings_then_recommendations(
    fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet, fake_llm: FakeLLM, tmp_path: Path
) -> None:
    config = make_config(
        f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}",
        llm={"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 5},
        policy=ROLES,
    )
    app = await build_app(
        config, operations=kubernetes_operations(clusters=fake_cluster_set), clusters=fake_cluster_set
    )
    try:
        fake_llm.push(Say("1. node-2 is under memory pressure: move work off it with !cordon node-2."))
        replies = await app.router.handle(ask("!analyze prod", who=ADMIN))
    finally:
        await app.close()
    first = replies[0]
    assert "k8s_resources" in first.text and first.table is not None
    assert any("MemoryPressure" in row[2] for row in first.table.rows)
    assert replies[-1].text.startswith("Analysis (language model; check before acting):\n> 1. node-2")
    sent = fake_llm.requests[0]
    assert '<untrusted-data source="k8s_resources">' in sent.messages[1]["content"]
    assert not fake_k8s.mutations()


async def test_analyze_without_a_model_shows_the_findings_alone(
    fake_k8s: FakeKubernetes, fake_cluster_set: ClusterSet, tmp_path: Path
) -> None:
    config = make_config(f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}", policy=ROLES)
    app = await build_app(
        config, operations=kubernetes_operations(clusters=fake_cluster_set), clusters=fake_cluster_set
    )
    try:
        replies = await app.router.handle(ask("!analyze prod", who=ADMIN))
    finally:
        await app.close()
    assert replies[0].table is not None and "k8s_resources" in replies[0].text
    assert not any("Analysis" in r.text for r in replies)
