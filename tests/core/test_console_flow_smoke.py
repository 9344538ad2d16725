"""Messages through the router on the demo backend: read runs, write waits, approve runs once."""

from __future__ import annotations

from bot.domain.models import IncomingMessage, Principal, ReplyKind
from tests.core.conftest import open_app
from tests.core.demo_ops import Backend


def msg(text: str, user: str = "alice", platform: str = "console", channel: str = "ops") -> IncomingMessage:
    return IncomingMessage(Principal(platform, user, user.title()), channel, text)


async def test_read_runs_at_once_and_write_waits_for_approval(sqlite_url: str, backend: Backend) -> None:
    app = await open_app(sqlite_url, backend)
    try:
        replies = await app.router.handle(msg("!demo get"))
        assert replies[0].table is not None and ("web", "2") in replies[0].table.rows
        replies = await app.router.handle(msg("!demo scale web --replicas 4"))
        card = replies[0]
        assert card.kind is ReplyKind.APPROVAL and card.approval_id
        assert card.code == "app/web: replicas 2 → 4"
        assert backend.replicas["web"] == 2
        replies = await app.router.handle(msg(f"!approve {card.approval_id}"))
        assert backend.replicas["web"] == 4
        assert "scaled 2 → 4" in replies[0].text
        again = await app.router.handle(msg(f"!approve {card.approval_id}"))
        assert "already approved by Alice" in again[0].text
        assert [r[0] for r in backend.runs].count("scale") == 1
    finally:
        await app.close()
