"""What the requester hears after their request, through the core and `ChatSurface` only: one progress
note edited at most once per interval, a final notice that closes the note, updates the card with its
outcome and posts the result where the conversation is (the card's thread), on the requester's own
platform and nowhere else."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.conversation.delivery import ProgressBoard
from bot.domain.ports import Place
from bot.domain.replies import approval_card
from storage.records import ApprovalRecord
from tests.core.conftest import open_app
from tests.core.demo_ops import Backend
from tests.core.helpers import msg
from tests.fakes.surface import RecordingSurface


@pytest.fixture
async def app(sqlite_url: str, backend: Backend) -> AsyncIterator[App]:
    opened = await open_app(sqlite_url, backend)
    try:
        yield opened
    finally:
        await opened.close()


async def _row(app: App, *, platform: str = "console", thread: str | None = None) -> ApprovalRecord:
    """A pending approval, as if asked for on `platform` in channel "ops" (thread `thread`)."""
    (card,) = await app.router.handle(msg("!demo scale web --replicas 3"))
    record = await app.desk.get(card.approval_id or "")
    assert record is not None
    return dataclasses.replace(record, requester_platform=platform, thread=thread)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_progress_is_one_note_edited_at_most_once_per_interval(app: App) -> None:
    console = RecordingSurface("console")
    app.surfaces.register(console)
    clock = Clock()
    board = ProgressBoard(app.surfaces, app.cards, min_interval_s=10, clock=clock)
    record = await _row(app, thread="t1")
    await board.progress(record, "step 1")
    clock.now += 1
    await board.progress(record, "step 2")  # too soon: kept for the next edit
    clock.now += 10
    await board.progress(record, "step 3")
    (note,) = console.posts()
    assert note.place == Place("console", "ops", "t1")
    assert note.reply.text.startswith(f"Working on approval {record.id}") and note.reply.code == "step 1"
    (edit,) = console.updates()
    assert edit.ref == note.ref and edit.reply.code == "step 1\nstep 2\nstep 3"
    await board.close(record)
    last = console.updates()[-1]
    assert last.ref == note.ref and last.reply.text.startswith("Finished approval")
    assert last.reply.code == "step 1\nstep 2\nstep 3"
    assert len(console.posts()) == 1


async def test_only_the_last_ten_lines_are_shown(app: App) -> None:
    console = RecordingSurface("console")
    app.surfaces.register(console)
    board = ProgressBoard(app.surfaces, app.cards, min_interval_s=0)
    record = await _row(app)
    for i in range(1, 13):
        await board.progress(record, f"line {i}")
    assert console.updates()[-1].reply.code == "\n".join(f"line {i}" for i in range(3, 13))


async def test_the_final_notice_closes_the_note_updates_the_card_and_posts_the_result_in_its_thread(
    app: App,
) -> None:
    slack, console = RecordingSurface("slack"), RecordingSurface("console")
    app.surfaces.register(slack)
    app.surfaces.register(console)
    record = await _row(app, platform="slack", thread=None)
    card_place = Place("slack", "C0OPS", "1700000000.000100")  # the card started a thread
    posted = await app.cards.show(approval_card(record), place=card_place)
    await app.notices.progress(record, "replica 1/2 ready")
    done = dataclasses.replace(record, result_status="ok", result_text="scaled 2 → 3")
    await app.notices.notice(done, "scaled 2 → 3")
    post_card, note, result = slack.posts()
    assert post_card.ref == posted
    assert note.place == card_place and note.reply.code == "replica 1/2 ready"
    assert result.place == card_place and result.text == "scaled 2 → 3"
    finished, card_update = slack.updates()
    assert finished.ref == note.ref and finished.reply.text.startswith("Finished approval")
    assert card_update.ref == posted and card_update.reply.approval_id == record.id
    assert slack.notices() == ["scaled 2 → 3"]
    assert console.sent == []  # another platform hears nothing of it


async def test_a_notice_without_a_known_card_posts_both_where_it_was_asked(app: App) -> None:
    discord = RecordingSurface("discord")
    app.surfaces.register(discord)
    record = await _row(app, platform="discord", thread="4242")
    await app.notices.notice(record, "nothing ran; ask again")
    card, text = discord.posts()
    assert card.reply.approval_id == record.id and card.place == Place("discord", "ops", "4242")
    assert text.place == Place("discord", "ops", "4242") and discord.notices() == ["nothing ran; ask again"]
    known = await app.cards.lookup(record.id, "discord")
    assert known is not None and known.ref == card.ref  # remembered: the next notice updates it


async def test_with_no_surface_for_the_requesters_platform_nothing_is_said(app: App) -> None:
    console = RecordingSurface("console")
    app.surfaces.register(console)
    record = await _row(app, platform="mattermost")
    await app.notices.progress(record, "working")
    await app.notices.notice(record, "done")
    assert console.sent == []


async def test_an_unregistered_surface_hears_nothing_more(app: App) -> None:
    console = RecordingSurface("console")
    app.surfaces.register(console)
    app.surfaces.unregister(RecordingSurface("console"))  # not the registered one: no effect
    assert app.surfaces.get("console") is console
    app.surfaces.unregister(console)
    await app.notices.notice(await _row(app), "done")
    assert console.sent == [] and app.surfaces.get("console") is None
