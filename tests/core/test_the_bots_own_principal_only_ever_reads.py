"""The bot's own principal (`system:user:alerts`, for reads nobody typed) is a viewer whatever the
config's role members say: its reads run through the gate and are audited under its name, a change it
asks for is refused and nothing is filed, and a channel mode for `system:alerts` can stop its reads."""

from __future__ import annotations

from typing import Any

import pytest

from bot.gate.system import system_context
from storage.records import AuditFilter
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg
from tools.base import Status

EVERYONE_ADMIN = {"roles": {"admin": {"members": ["*:user:*", "system:*"]}}, "default_role": "admin"}


@pytest.mark.parametrize(
    ("operation", "raw"),
    [("demo_scale", {"name": "web", "replicas": 3}), ("demo_delete", {"name": "web"})],
)
async def test_a_change_it_asks_for_is_refused_and_nothing_is_filed(
    apps: Apps, sqlite_url: str, backend: Backend, operation: str, raw: dict[str, Any]
) -> None:
    app = await apps.open(sqlite_url, backend, policy=EVERYONE_ADMIN)
    outcome = await app.executor.submit(operation, raw, system_context("alerts", channel="alerts"))
    assert outcome.status is Status.DENIED and outcome.approval is None
    assert "you are viewer" in outcome.text
    assert await app.store.list_approvals() == [] and backend.runs == []
    # The same config makes a person an admin: the pin is the principal's, not the config's.
    person = await app.router.handle(msg("!demo scale web --replicas 3", "alice", platform="slack"))
    assert person[0].approval_id is not None


async def test_its_reads_run_and_are_audited_under_its_name(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend, policy=EVERYONE_ADMIN)
    outcome = await app.executor.submit(
        "demo_get", {"name": "web"}, system_context("alerts", channel="alerts")
    )
    assert outcome.status is Status.OK and backend.runs == [
        ("get", {"name": "web", "cluster": None, "namespace": None})
    ]
    decided = await app.store.list_audit(AuditFilter(event="policy.decided"))
    assert [(f.platform, f.user_id, f.channel, f.status) for f in decided] == [
        ("system", "alerts", "alerts", "allow")
    ]
    assert decided[0].detail["role"] == "viewer"
    finished = await app.store.list_audit(AuditFilter(event="execution.finished"))
    assert [(f.platform, f.user_id, f.operation, f.status) for f in finished] == [
        ("system", "alerts", "demo_get", "ok")
    ]


async def test_a_paranoid_mode_for_its_channel_stops_its_reads_without_filing(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    policy = {"channels": {"system:alerts": {"mode": "paranoid"}}}
    app = await apps.open(sqlite_url, backend, policy=policy)
    outcome = await app.executor.submit(
        "demo_get", {"name": "web"}, system_context("alerts", channel="alerts"), file_approvals=False
    )
    assert outcome.status is Status.DENIED and outcome.text.startswith("Not run: reads need an approval")
    assert await app.store.list_approvals() == [] and backend.runs == []
