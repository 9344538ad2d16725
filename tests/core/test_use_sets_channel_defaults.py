"""`!use namespace|cluster` sets the channel's defaults at once; other channels keep theirs."""

from __future__ import annotations

from tests.core.demo_ops import Backend
from tests.core.fixtures import open_app
from tests.core.helpers import msg


async def test_use_namespace_applies_to_the_next_request(sqlite_url: str, backend: Backend) -> None:
    app = await open_app(sqlite_url, backend)
    try:
        await app.router.handle(msg("!demo get web"))
        replies = await app.router.handle(msg("!use namespace staging"))
        assert "now uses namespace staging" in replies[0].text
        await app.router.handle(msg("!demo get web"))
        await app.router.handle(msg("!demo get web", channel="other"))
        assert [run[1]["namespace"] for run in backend.runs] == [None, "staging", None]
        bad = await app.router.handle(msg("!use namespace Not_Valid"))
        assert "not a valid DNS-1123 label" in bad[0].text
        unknown = await app.router.handle(msg("!use cluster nowhere"))
        assert "Unknown cluster 'nowhere'" in unknown[0].text
    finally:
        await app.close()
