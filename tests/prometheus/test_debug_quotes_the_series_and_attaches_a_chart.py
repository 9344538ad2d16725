"""With Prometheus configured, `!debug` adds the target's series (memory as a chart, CPU and restarts
as figures) to the findings, and the model's analysis is given those numbers."""

from __future__ import annotations

from pathlib import Path

from bot.app import build_app
from tests.agent.conftest import ADMIN, ROLES, ask
from tests.core.fixtures import Apps, make_config
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_llm import FakeLLM, Say
from tests.fake_llm.plugin import fake_llm  # noqa: F401  (a fixture)
from tests.fake_prometheus.server import FakePrometheus
from tests.prometheus.conftest import seed_web, settings_for
from tools.kubernetes import kubernetes_operations
from tools.kubernetes.clusters import ClusterSet
from tools.prometheus import prometheus_operations


async def test_debug_pulls_memory_cpu_and_restarts(
    apps: Apps,
    fake_k8s: FakeKubernetes,
    fake_cluster_set: ClusterSet,
    fake_llm: FakeLLM,  # noqa: F811
    fake_prometheus: FakePrometheus,
    tmp_path: Path,
) -> None:
    seed_web(fake_prometheus)
    config = make_config(
        f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}",
        llm={"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 5},
        policy=ROLES,
    )
    operations = [
        *kubernetes_operations(clusters=fake_cluster_set),
        *prometheus_operations(settings=settings_for(fake_prometheus), clusters=fake_cluster_set),
    ]
    app = apps.keep(await build_app(config, operations=operations, clusters=fake_cluster_set))
    fake_llm.push(Say("1. Memory holds at 300 MiB, 59% of its limit."))
    replies = await app.router.handle(ask("!debug deployment web -n prod", who=ADMIN))
    charts = [f for reply in replies for f in reply.files]
    assert [f.filename for f in charts] == ["memory-deployment-web.png"]
    texts = "\n".join(r.text for r in replies)
    assert "memory working set: min 300.0 MiB" in texts and "cpu used: min 200m" in texts
    sent = fake_llm.requests[0].messages[1]["content"]
    assert '<untrusted-data source="prom_chart">' in sent and "peak is 59% of the limits (512.0 MiB)" in sent
    assert '<untrusted-data source="prom_usage">' in sent
    assert replies[-1].text.startswith("Analysis (language model; check before acting):\n> 1. Memory")
