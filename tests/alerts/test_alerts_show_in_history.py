"""Alerts in `!history`: `!history alerts` lists the cards posted in this channel and who acted on them
(only this channel's); a person's own `!history` shows the alert buttons they pressed beside their messages."""

from __future__ import annotations

from bot.domain.models import ButtonAction, IncomingMessage, Principal, Reply
from tests.alerts.conftest import ALL, PROD, TOKEN, World
from tests.fake_alertmanager.webhook import firing, notification, send

ALERT = firing("KubePodCrashLooping", namespace="prod", pod="batch-oom", severity="critical")
OTHER = firing("NodeDiskPressure", namespace="ops", node="n1", severity="warning")


def person(user: str) -> Principal:
    return Principal("slack", user, user.title())


def cells(reply: Reply) -> list[tuple[str, ...]]:
    assert reply.table is not None
    return [tuple(row) for row in reply.table.rows]


async def say(world: World, user: str, channel: str, text: str) -> Reply:
    (reply,) = await world.app.router.handle(IncomingMessage(person(user), channel, text))
    return reply


async def test_history_alerts_lists_this_channels_cards_and_who_acted(world: World) -> None:
    status, _ = await send(world.url, notification(ALERT, OTHER), bearer=TOKEN)
    assert status == 200
    await world.service.round()
    assert len(world.surface.posts) == 2  # one in PROD, one in ALL

    await world.service.actions.click(
        principal=person("UOPS"),
        action=ButtonAction.ACKNOWLEDGE,
        fingerprint=str(ALERT["fingerprint"]),
        channel=PROD,
        thread=None,
    )

    here = await say(world, "UVIEW", PROD, "!history alerts")
    rows = cells(here)
    assert [r[1] for r in rows] == ["alert posted", "acknowledged"]
    assert all("KubePodCrashLooping" in r[2] for r in rows)
    assert rows[0][3] == "firing" and rows[1][3] == "UOPS"

    elsewhere = cells(await say(world, "UVIEW", ALL, "!history alerts 5"))
    assert [(r[1], "NodeDiskPressure" in r[2]) for r in elsewhere] == [("alert posted", True)]


async def test_a_persons_history_shows_the_alert_buttons_they_pressed(world: World) -> None:
    status, _ = await send(world.url, notification(ALERT), bearer=TOKEN)
    assert status == 200
    await world.service.round()
    await say(world, "UOPS", PROD, "!whoami")
    await world.service.actions.click(
        principal=person("UOPS"),
        action=ButtonAction.SILENCE_1H,
        fingerprint=str(ALERT["fingerprint"]),
        channel=PROD,
        thread=None,
    )

    said = [r[1] for r in cells(await say(world, "UOPS", PROD, "!history"))]
    assert said[0] == "[alert] asked to silence for 1 h: KubePodCrashLooping"
    assert "!whoami" in said
    assert not any("[alert]" in s for s in cells_of_other(await say(world, "UVIEW", PROD, "!history")))


def cells_of_other(reply: Reply) -> list[str]:
    return [r[1] for r in cells(reply)] if reply.table is not None else [reply.text]


async def test_history_alerts_says_so_when_nothing_was_posted_and_refuses_a_bad_count(world: World) -> None:
    empty = await say(world, "UVIEW", PROD, "!history alerts")
    assert empty.text == "No alerts or cluster-event cards have been posted in this channel yet."
    bad = await say(world, "UVIEW", PROD, "!history alerts lots")
    assert bad.text.startswith("Usage: !history alerts [n]")
