"""Per-user limits: a polite sentence with when to try again; others are unaffected."""

from __future__ import annotations

from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg


async def test_message_rate_and_size_limits(apps: Apps, sqlite_url: str) -> None:
    backend = Backend()
    app = await apps.open(sqlite_url, backend, limits={"messages_per_minute": 2, "max_message_chars": 100})
    for _ in range(2):
        await app.router.handle(msg("!demo get", "alice"))
    limited = await app.router.handle(msg("!demo get", "alice"))
    assert "2 messages in the last minute" in limited[0].text and "try again in" in limited[0].text
    assert len(backend.runs) == 2
    other = await app.router.handle(msg("!demo get", "bob"))
    assert other[0].table is not None
    too_long = await app.router.handle(msg("!demo get " + "x" * 200, "carol"))
    assert "the limit is 100" in too_long[0].text
    rows = [r for r in await app.store.list_audit(_all()) if r.event == "request.limited"]
    assert {r.status for r in rows} == {"messages", "message_size"}


def _all():
    from storage.records import AuditFilter

    return AuditFilter(limit=500)
