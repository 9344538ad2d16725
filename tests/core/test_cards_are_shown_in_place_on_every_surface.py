"""The core's card index talks to chat platforms only through `ChatSurface`: a card is posted once
and then updated in place (also after a restart, from the stored ref), posted again when its
message is gone, and the one sweep redraws an expired card on every surface that shows it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.app import App
from bot.domain.models import Reply
from bot.domain.ports import Place
from bot.runtime.sweeper import Sweeper
from storage.records import ApprovalState
from tests.core.conftest import open_app
from tests.core.demo_ops import Backend
from tests.core.helpers import msg
from tests.fakes.surface import RecordingSurface


def _id(reply: Any) -> str:
    """A card's approval id (a card always has one)."""
    assert reply.approval_id is not None
    return str(reply.approval_id)


async def _row(store: Any, approval_id: str) -> Any:
    """The approval row, which must exist."""
    row = await store.get_approval(approval_id)
    assert row is not None
    return row


@pytest.fixture
async def app(sqlite_url: str, backend: Backend) -> AsyncIterator[App]:
    opened = await open_app(sqlite_url, backend)
    try:
        yield opened
    finally:
        await opened.close()


async def _card(app: App) -> Reply:
    (card,) = await app.router.handle(msg("!demo scale web --replicas 3"))
    assert _id(card), card.text
    return card


async def _expire_everything(url: str) -> None:
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.execute(sa.text("UPDATE approvals SET expires_at = :t"), {"t": "2000-01-01 00:00:00"})
    await engine.dispose()


async def test_a_card_is_posted_once_then_updated_in_place(app: App) -> None:
    console = RecordingSurface("console")
    app.surfaces.register(console)
    card = await _card(app)
    first = await app.cards.show(card, place=Place("console", "ops", "t1"))
    again = await app.cards.show(card, place=Place("console", "elsewhere"))
    assert first is not None and again == first
    assert [s.action for s in console.sent] == ["post", "update"]
    assert console.posts()[0].place == Place("console", "ops", "t1")
    known = await app.cards.lookup(_id(card) or "", "console")
    assert known is not None and known.ref == first and known.place == Place("console", "ops", "t1")


async def test_after_a_restart_the_stored_ref_updates_the_same_message(
    sqlite_url: str, backend: Backend
) -> None:
    console = RecordingSurface("console")  # the platform outlives the bot
    before = await open_app(sqlite_url, backend)
    try:
        before.surfaces.register(console)
        card = await _card(before)
        posted = await before.cards.show(card, place=Place("console", "ops"))
    finally:
        await before.close()
    after = await open_app(sqlite_url, backend)
    try:
        after.surfaces.register(console)
        assert await after.cards.show(card, place=Place("console", "ops")) == posted
    finally:
        await after.close()
    assert [s.action for s in console.sent] == ["post", "update"]


async def test_a_card_whose_message_is_gone_is_posted_again_and_remembered(app: App) -> None:
    console = RecordingSurface("console")
    app.surfaces.register(console)
    card = await _card(app)
    gone = await app.cards.show(card, place=Place("console", "ops"))
    console.messages.clear()  # someone deleted it on the platform
    fresh = await app.cards.show(card, place=Place("console", "ops"))
    assert fresh is not None and fresh != gone
    assert [s.action for s in console.sent] == ["post", "post"]
    known = await app.cards.lookup(_id(card) or "", "console")
    assert known is not None and known.ref == fresh


async def test_without_a_surface_for_the_platform_nothing_is_shown(app: App) -> None:
    card = await _card(app)
    assert await app.cards.show(card, place=Place("mattermost", "town-square")) is None
    assert await app.cards.lookup(_id(card) or "", "mattermost") is None


async def test_a_ref_stored_by_an_adapter_before_places_were_kept_is_still_found(app: App) -> None:
    card = await _card(app)
    old = {"channel": "C0OPS", "ts": "1699995000.000200", "team": "T1", "thread_ts": None}
    await app.store.remember_card(approval_id=_id(card) or "", platform="slack", ref=old)
    known = await app.cards.lookup(_id(card) or "", "slack")
    assert known is not None and known.place is None
    assert known.ref.platform == "slack" and dict(known.ref.data) == old


async def test_the_sweep_redraws_an_expired_card_on_every_surface_that_shows_it(
    app: App, sqlite_url: str
) -> None:
    console, slack, discord = (RecordingSurface(p) for p in ("console", "slack", "discord"))
    for surface in (console, slack, discord):
        app.surfaces.register(surface)
    card = await _card(app)
    await app.cards.show(card, place=Place("console", "ops"))
    await app.cards.show(card, place=Place("slack", "C0OPS"))  # shown there too (an alert, say)
    await _expire_everything(sqlite_url)
    report = await Sweeper(app).sweep_once()
    assert report.leader and report.expired == 1
    for surface in (console, slack):
        (update,) = surface.updates()
        assert update.reply.approval_id == _id(card)
        assert "expired" in update.text and update.reply.buttons == ()
    assert discord.sent == []
    assert (await Sweeper(app).sweep_once()).expired == 0
    assert len(console.updates()) == len(slack.updates()) == 1


async def test_the_sweep_posts_the_card_on_the_requesters_surface_when_none_is_known(
    app: App, sqlite_url: str
) -> None:
    console, slack = RecordingSurface("console"), RecordingSurface("slack")
    app.surfaces.register(console)
    app.surfaces.register(slack)
    card = await _card(app)  # answered to the requester, never shown through the core
    await _expire_everything(sqlite_url)
    assert (await Sweeper(app).sweep_once()).expired == 1
    (post,) = console.posts()
    assert post.reply.approval_id == _id(card) and "expired" in post.text
    assert post.place == Place("console", "ops")  # where it was asked
    assert slack.sent == []
    assert (await _row(app.store, _id(card))).state is ApprovalState.EXPIRED
