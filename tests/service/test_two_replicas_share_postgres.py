"""Two bot processes on one PostgreSQL: one click on both executes once; one event is handled once."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from bot.app import build_app
from bot.domain.models import IncomingMessage, Principal
from bot.settings.config import load_config
from tests.core.fixtures import Apps
from tests.fake_k8s.server import FakeKubernetes

ROOT = Path(__file__).parents[2]


def config_file(tmp_path: Path, url: str, kubeconfig: Path) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        f"storage: {{url: '{url}'}}\n"
        f"clusters: [{{name: fake, kubeconfig: '{kubeconfig}', context: fake, default_namespace: prod}}]\n"
        "policy:\n  roles:\n    operator: {members: ['slack:user:UOPS', 'slack:user:UREQ']}\n"
        "    viewer: {members: ['slack:user:UVIEW']}\n"
    )
    return path


async def test_two_replicas(
    apps: Apps, tmp_path: Path, postgres_url: str, fake_k8s: FakeKubernetes, fake_kubeconfig: Path
) -> None:
    config = config_file(tmp_path, postgres_url, fake_kubeconfig)
    app = apps.keep(await build_app(load_config(config, env={})))
    card = (
        await app.router.handle(
            IncomingMessage(Principal("slack", "UREQ", "Rita"), "C1", "!scale deployment web --replicas 5")
        )
    )[0]
    await apps.close(app)
    assert card.approval_id
    fake_k8s.reset_requests()
    go = tmp_path / "go"
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.service.replica_worker",
            str(config),
            card.approval_id,
            "Ev-42",
            str(go),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for proc in procs:
        assert proc.stdout is not None
        assert (await asyncio.wait_for(proc.stdout.readline(), timeout=60)).strip() == b"ready"
    go.write_text("go")
    results = []
    for proc in procs:
        out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
        assert proc.returncode == 0, err.decode()[-2000:]
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    scale_writes = [r for r in fake_k8s.mutations() if "deployments/web" in r.path]
    assert len(scale_writes) == 1, [r.path for r in fake_k8s.mutations()]
    assert sorted(bool(r["event_replies"]) for r in results) == [False, True]
    texts = [r["approve"] for r in results]
    assert sum("already approved" in t or "already being run" in t for t in texts) == 1, texts
