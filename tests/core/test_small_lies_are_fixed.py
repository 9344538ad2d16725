"""The small lies of issue 14: history shows a change's final state and failed built-ins as failed,
multi-line card fields stay indented, `!approvals` shows every argument, a second `!undo` says it
was already undone, `!forget` says the channel's defaults stay."""

from __future__ import annotations

from bot.app import App
from bot.domain.models import Reply, ReplyField, ReplyKind
from bot.domain.render import render_text
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.core.helpers import msg


async def test_history_shows_the_final_state_and_a_failed_approve(
    apps: Apps, database_url: str, backend: Backend
) -> None:
    app = await apps.open(database_url, backend)
    card = (await app.router.handle(msg("!demo scale web --replicas 4")))[0]
    await app.router.handle(msg(f"!approve {card.approval_id}"))
    await app.router.handle(msg("!approve nosuchid"))
    history = (await app.router.handle(msg("!history")))[0]
    assert history.table is not None
    outcomes = {row[1]: row[2] for row in history.table.rows}
    assert outcomes["!demo scale web --replicas 4"] == "demo_scale succeeded"
    assert outcomes["!approve nosuchid"] == "!approve error"
    assert outcomes[f"!approve {card.approval_id}"] == "!approve ok"


def test_multi_line_card_fields_stay_indented() -> None:
    reply = Reply("done", fields=(ReplyField("Result", "fake / prod\ndeployment/web scaled 2 → 4"),))
    assert render_text(reply).splitlines()[1:] == [
        "  Result: fake / prod",
        "          deployment/web scaled 2 → 4",
    ]


async def test_approvals_list_shows_every_argument(app: App) -> None:
    await app.router.handle(msg(f"!demo scale web --replicas 7 -n {'n' * 60}"))
    text = (await app.router.handle(msg("!approvals")))[0].text
    joined = " ".join(line.strip() for line in text.splitlines())
    assert "replicas=7" in joined and "n" * 60 in joined
    assert all(len(line) <= 100 for line in text.splitlines()[2:])


async def test_a_second_undo_says_it_was_already_undone(
    apps: Apps, database_url: str, backend: Backend
) -> None:
    app = await apps.open(database_url, backend)
    card = (await app.router.handle(msg("!demo scale web --replicas 4")))[0]
    await app.router.handle(msg(f"!approve {card.approval_id}"))
    undo = (await app.router.handle(msg(f"!undo {card.approval_id}")))[0]
    assert undo.kind is ReplyKind.APPROVAL and undo.approval_id
    again = (await app.router.handle(msg(f"!undo {card.approval_id}")))[0]
    assert again.kind is ReplyKind.ERROR and f"already filed as {undo.approval_id}" in again.text
    await app.router.handle(msg(f"!approve {undo.approval_id}"))
    assert backend.replicas["web"] == 2
    third = (await app.router.handle(msg(f"!undo {card.approval_id}")))[0]
    assert third.kind is ReplyKind.ERROR
    assert f"was already undone by {undo.approval_id}" in third.text
    assert "nothing new was filed" in third.text
    assert [r[0] for r in backend.runs].count("scale") == 2


async def test_forget_says_the_channel_defaults_stay(app: App, backend: Backend) -> None:
    plain = (await app.router.handle(msg("!forget")))[0].text
    assert "defaults" not in plain
    # As `!use namespace blue` stores it (the demo backend cannot check that a namespace exists).
    await app.store.set_channel_settings(platform="console", channel="ops", namespace="blue")
    text = (await app.router.handle(msg("!forget")))[0].text
    assert "namespace blue" in text and "change them with `!use`" in text
