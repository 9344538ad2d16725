"""`!history`: one's own past messages with the operation and outcome each led to."""

from __future__ import annotations

from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg


async def test_history_pairs_each_question_with_its_outcome(
    apps: Apps, sqlite_url: str, backend: Backend
) -> None:
    app = await apps.open(sqlite_url, backend)
    await app.router.handle(msg("!demo get web"))
    await app.router.handle(msg("!demo get web", "bob", channel="elsewhere"))
    await app.router.handle(msg("!demo scale web --replicas 3"))
    replies = await app.router.handle(msg("!history 5"))
    table = replies[0].table
    assert table is not None
    said = [(row[1], row[2]) for row in table.rows]
    assert said == [
        ("!demo scale web --replicas 3", "demo_scale approval_required"),
        ("!demo get web", "demo_get ok"),
    ]
