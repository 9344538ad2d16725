"""`chatops check`: one line per part, exit 1 when something configured is unreachable."""

from __future__ import annotations

import io
from pathlib import Path

from bot.runtime.check import run_check
from bot.settings.config import load_config
from tests.fake_k8s.server import FakeKubernetes


async def test_check_reports_database_and_cluster(
    tmp_path: Path, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        f"storage: {{url: 'sqlite+aiosqlite:///{tmp_path / 'x.db'}'}}\n"
        f"clusters: [{{name: fake, kubeconfig: '{fake_kubeconfig}', context: fake}}]\n"
    )
    out = io.StringIO()
    assert await run_check(load_config(config, env={}), out) == 0
    text = out.getvalue()
    assert "database: ok" in text
    assert "cluster fake: ok — reachable at http://127.0.0.1:" in text and "credentials work" in text
    assert "llm: - — not configured" in text

    await fake_k8s.stop()
    out = io.StringIO()
    assert await run_check(load_config(config, env={}), out) == 1
    assert "cluster fake: PROBLEM — cluster fake is unreachable" in out.getvalue()


async def test_check_names_an_unreachable_database(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "storage: {url: 'postgresql+asyncpg://nobody@127.0.0.1:1/none'}\n"
        f"cluster_dir: '{tmp_path}'\nclusters: []\n"
    )
    out = io.StringIO()
    code = await run_check(load_config(config, env={"KUBECONFIG": str(tmp_path / "none")}), out)
    assert code == 1
    assert "database: PROBLEM — cannot reach the PostgreSQL database" in out.getvalue()
