"""The same scenarios against a real cluster: run with CHATOPS_E2E_KUBECONFIG=... pytest -m cluster.

Creates a throw-away namespace, a deployment in it, changes it through
approvals, undoes a change, and deletes the namespace again.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

from bot.app import build_app
from bot.domain.models import IncomingMessage, Principal, ReplyKind
from bot.settings.config import LoadedConfig, Secrets, parse_settings

pytestmark = pytest.mark.cluster
KUBECONFIG = os.environ.get("CHATOPS_E2E_KUBECONFIG")


@pytest.fixture
async def app(tmp_path: Path):
    if not KUBECONFIG:
        pytest.skip("set CHATOPS_E2E_KUBECONFIG to a kubeconfig of a disposable cluster")
    settings = parse_settings(
        {
            "storage": {"url": f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"},
            "clusters": [{"name": "e2e", "kubeconfig": KUBECONFIG}],
        }
    )
    bot = await build_app(LoadedConfig(settings=settings, secrets=Secrets(), source=None))
    yield bot
    await bot.close()


async def say(app, text: str):
    return await app.router.handle(IncomingMessage(Principal("console", "e2e", "e2e"), "e2e", text))


async def approve(app, text: str):
    card = (await say(app, text))[0]
    assert card.kind is ReplyKind.APPROVAL, card.text
    return card, await say(app, f"!approve {card.approval_id}")


async def test_look_change_undo_and_clean_up(app) -> None:
    ns = f"chatops-e2e-{uuid.uuid4().hex[:6]}"
    clusters = await say(app, "!clusters")
    assert clusters[0].table and clusters[0].table.rows[0][3] == "yes"
    await approve(app, f"!create namespace {ns}")
    try:
        _, created = await approve(app, f"!create deployment web --image nginx:1.27 --replicas 1 -n {ns}")
        assert "web" in created[0].text
        card, _ = await approve(app, f"!scale deployment web --replicas 2 -n {ns}")
        assert "1 → 2" in card.code
        undo = (await say(app, f"!undo {card.approval_id}"))[0]
        assert undo.kind is ReplyKind.APPROVAL and "2 → 1" in undo.code
        await say(app, f"!approve {undo.approval_id}")
        listing = await say(app, f"!get deployments -n {ns}")
        assert "web" in listing[0].text or listing[0].table
    finally:
        # DESTRUCTIVE: the console user confirms their own request.
        await approve(app, f"!delete namespace {ns}")
