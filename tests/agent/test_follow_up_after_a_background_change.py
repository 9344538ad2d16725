"""A long change the agent asked for (minikube start) runs in the background; the agent follows up after."""

from __future__ import annotations

import json
from pathlib import Path

from bot.app import build_app
from tests.agent.conftest import ADMIN, ROLES, ask
from tests.core.fixtures import make_config
from tests.fake_llm import Call, FakeLLM, Say
from tests.fakes.bin.fakecli import install_fake
from tests.fakes.surface import RecordingSurface
from tools.kubernetes.clusters import ClusterSet
from tools.minikube import MinikubeSettings, minikube_operations


async def test_the_agent_follows_up_when_a_background_change_finishes(
    fake_llm: FakeLLM, tmp_path: Path
) -> None:
    fake = install_fake(tmp_path / "bin", "minikube")
    fake.expect(["profile", "list", "--output=json"], stdout=json.dumps({"invalid": [], "valid": []}))
    fake.expect(["start", "--profile=dev", "--output=json"], lines=[], line_delay=0.0)
    operations = minikube_operations(settings=MinikubeSettings(binary=str(fake.path), build_dir=tmp_path))
    config = make_config(
        f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}",
        llm={"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 5},
        policy=ROLES,
    )
    app = await build_app(config, operations=operations, clusters=ClusterSet([]))
    surface = RecordingSurface(ADMIN.platform)  # the requester's own platform
    app.surfaces.register(surface)
    try:
        fake_llm.push(
            Call.one("minikube_change", "minikube_start", {"profile": "dev"}), Say("Asked to start dev.")
        )
        replies = await app.router.handle(ask("start my dev minikube", who=ADMIN))
        card = next(r for r in replies if r.approval_id)
        fake_llm.push(Say("The dev profile is up."))
        started = await app.router.handle(ask(f"!approve {card.approval_id}", who=ADMIN))
        assert "started; progress will follow" in started[0].text
        await app.executor.drain(30)
    finally:
        await app.close()
    notices = surface.notices()
    assert any("The dev profile is up." in text for text in notices), notices
