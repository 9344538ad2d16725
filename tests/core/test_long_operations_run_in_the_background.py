"""A long change (minikube start) runs in the background: progress to the conversation (one note
edited in place), others not blocked, and the requester's surface hears the outcome."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from bot.app import build_app
from storage.records import ApprovalState
from tests.core.fixtures import make_config
from tests.core.helpers import msg
from tests.fakes.bin.fakecli import install_fake
from tests.fakes.surface import RecordingSurface
from tools.kubernetes.clusters import ClusterSet
from tools.minikube import MinikubeSettings, minikube_operations


def step(i: int) -> str:
    return json.dumps(
        {
            "type": "io.k8s.sigs.minikube.step",
            "data": {"currentstep": str(i), "totalsteps": "5", "message": f"step {i}", "name": "x"},
        }
    )


async def test_minikube_start_reports_progress_and_does_not_block(sqlite_url: str, tmp_path: Path) -> None:
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
    app = await build_app(make_config(sqlite_url), operations=operations, clusters=ClusterSet([]))
    console = RecordingSurface("console")
    app.surfaces.register(console)
    try:
        card = (await app.router.handle(msg("!minikube start --profile dev")))[0]
        assert card.approval_id, card.text
        started = await asyncio.wait_for(app.router.handle(msg(f"!approve {card.approval_id}")), timeout=5)
        assert "started; progress will follow" in started[0].text
        other = await asyncio.wait_for(
            app.router.handle(msg("!minikube status --profile dev", "bob")), timeout=5
        )
        assert "Running" in other[0].text
        assert not console.notices(), "the start is still running while another conversation was served"
        await app.executor.drain(30)
        assert len(console.notices()) == 1
        record = await app.desk.get(card.approval_id)
        assert record is not None and record.state is ApprovalState.SUCCEEDED
        note, *_ = console.posts()
        assert note.reply.text.startswith("Working on approval") and note.reply.code
        assert note.reply.code.startswith("starting minikube profile dev")
        assert console.updates()[-1].reply.text.startswith("Finished approval")
    finally:
        await app.close()
