"""A long change (minikube start) runs in the background: progress to the thread, others not blocked."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app import build_app
from storage.records import ApprovalState
from tests.core.fixtures import Apps, make_config
from tests.core.helpers import msg
from tests.fakes.bin.fakecli import install_fake
from tools.kubernetes.clusters import ClusterSet
from tools.minikube import MinikubeSettings, minikube_operations


def step(i: int) -> str:
    return json.dumps(
        {
            "type": "io.k8s.sigs.minikube.step",
            "data": {"currentstep": str(i), "totalsteps": "5", "message": f"step {i}", "name": "x"},
        }
    )


async def test_minikube_start_reports_progress_and_does_not_block(apps: Apps, sqlite_url: str, tmp_path: Path) -> None:
    fake = install_fake(tmp_path / "bin", "minikube")
    fake.expect(
        ["start", "--profile=dev", "--output=json"], lines=[step(i) for i in range(1, 6)], line_delay=0.2
    )
    fake.expect(["profile", "list", "--output=json"], stdout=json.dumps({"invalid": [], "valid": []}))
    fake.expect(
        ["status", "--profile=dev", "--output=json"],
        stdout=json.dumps(
            {
                "Name": "dev",
                "Host": "Running",
                "Kubelet": "Running",
                "APIServer": "Running",
                "Kubeconfig": "Configured",
            }
        ),
    )
    operations = minikube_operations(settings=MinikubeSettings(binary=str(fake.path), build_dir=tmp_path))
    app = apps.keep(await build_app(make_config(sqlite_url), operations=operations, clusters=ClusterSet([])))
    progress: list[str] = []
    done: list[ApprovalState] = []

    async def on_progress(record, line: str) -> None:
        progress.append(line)

    async def on_done(record, text: str) -> None:
        done.append(record.state)

    app.executor.progress_sink = on_progress
    app.executor.notice = on_done
    card = (await app.router.handle(msg("!minikube start --profile dev")))[0]
    assert card.approval_id, card.text
    started = await app.router.handle(msg(f"!approve {card.approval_id}"))
    assert "started; progress will follow" in started[0].text
    other = await app.router.handle(msg("!minikube status --profile dev", "bob"))
    assert "Running" in other[0].text
    assert not done, "the start is still running while another conversation was served"
    await app.executor.drain(30)
    assert done == [ApprovalState.SUCCEEDED]
    assert progress and progress[0].startswith("starting minikube profile dev")
