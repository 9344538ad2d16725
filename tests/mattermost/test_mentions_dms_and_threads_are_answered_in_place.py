"""A mention is answered in its thread, a DM where it was asked; the bot's own posts, other bots and
chatter are not answered; an event delivered twice, or again after a reconnect, is answered once."""

from __future__ import annotations

from tests.fake_mattermost.plugin import ALICE, ALICE_DM, OLGA, OPS
from tests.fake_mattermost.server import BOT
from tests.mattermost.conftest import MattermostBot
from tests.mattermost.helpers import answers_to

SENTINEL = "@chatops !get deployments -n prod"


async def after_everything_so_far(bot: MattermostBot) -> None:
    """Events arrive in order: once a later mention is answered, every earlier event was handled."""
    marker = await bot.fake.say(OLGA, SENTINEL, channel=OPS)
    await bot.fake.wait_until(lambda: len(answers_to(bot.fake, marker["id"])) == 1)
    await bot.settle()


async def test_a_mention_is_answered_in_a_thread_under_it(bot: MattermostBot) -> None:
    asked = await bot.fake.say(ALICE, "@chatops !get deployments -n prod", channel=OPS)
    await bot.fake.wait_until(lambda: len(answers_to(bot.fake, asked["id"])) == 1)
    await bot.settle()
    (answer,) = answers_to(bot.fake, asked["id"])
    assert answer["channel_id"] == OPS.id and "web" in answer["message"]
    (request,) = bot.fake.created
    assert request.token is not None and request.body["root_id"] == asked["id"]


async def test_a_mention_inside_a_thread_is_answered_in_that_thread(bot: MattermostBot) -> None:
    root = await bot.fake.say(OLGA, "anyone seen the web rollout?", channel=OPS)
    asked = await bot.fake.say(ALICE, "@chatops !get deployments -n prod", channel=OPS, root_id=root["id"])
    await bot.fake.wait_until(lambda: len(bot.fake.bot_posts()) == 1)
    await bot.settle()
    (answer,) = bot.fake.bot_posts()
    assert answer["root_id"] == root["id"] != asked["id"]


async def test_a_direct_message_is_answered_at_the_top_of_the_dm(bot: MattermostBot) -> None:
    await bot.fake.say(ALICE, "!get deployments -n prod", channel=ALICE_DM)
    await bot.fake.wait_until(lambda: len(bot.fake.bot_posts()) == 1)
    await bot.settle()
    (answer,) = bot.fake.bot_posts()
    assert answer["channel_id"] == ALICE_DM.id and answer["root_id"] == ""


async def test_chatter_other_bots_and_the_bots_own_posts_are_not_answered(bot: MattermostBot) -> None:
    await bot.fake.say(ALICE, "!get deployments -n prod", channel=OPS)  # no mention
    other_bot = bot.fake._store_post(
        OLGA.id, OPS.id, "@chatops !get pods", root_id="", props={"from_bot": "true"}
    )
    await bot.fake.send_again(other_bot)
    asked = await bot.fake.say(ALICE, "@chatops !get deployments -n prod", channel=OPS)
    await bot.fake.wait_until(lambda: len(bot.fake.bot_posts()) == 1)
    await bot.settle()
    # The bot's own answer came back as a `posted` event too (it mentions nobody, but it is in the thread).
    (answer,) = bot.fake.bot_posts()
    await bot.fake.send_again(answer)
    await bot.fake.send_again({**answer, "message": "@chatops !get pods"})
    await after_everything_so_far(bot)
    assert len(answers_to(bot.fake, asked["id"])) == 1
    assert len(bot.fake.bot_posts()) == 2  # the answer, and the answer to the sentinel
    assert answer["user_id"] == BOT.id


async def test_an_event_delivered_twice_is_answered_once(bot: MattermostBot) -> None:
    asked = await bot.fake.say(ALICE, "@chatops !get deployments -n prod", channel=OPS)
    await bot.fake.send_again(asked)
    await after_everything_so_far(bot)
    await bot.fake.send_again(asked)  # and once more, after it was answered
    await after_everything_so_far(bot)
    assert len(answers_to(bot.fake, asked["id"])) == 1
    assert len(bot.fake.created) == 3  # the answer and the two sentinels' answers


async def test_after_a_dropped_connection_the_missed_events_are_resumed_and_answered_once(
    bot: MattermostBot,
) -> None:
    sessions = bot.fake.sessions
    first = sessions.current
    assert first is not None
    await sessions.drop()
    asked = await bot.fake.say(ALICE, "@chatops !get deployments -n prod", channel=OPS)  # while away
    await bot.fake.wait_until(lambda: len(answers_to(bot.fake, asked["id"])) == 1)
    await bot.settle()
    resumed = sessions.connects[-1]
    assert resumed["connection_id"] == first.connection_id
    assert int(resumed["sequence_number"]) <= first.sent.index(
        next(e for e in first.sent if e["event"] == "posted")
    )
    assert len(bot.fake.created) == 1


async def test_a_server_that_lost_the_session_starts_a_new_one(bot: MattermostBot) -> None:
    sessions = bot.fake.sessions
    sessions.forget()
    await sessions.drop()
    await bot.fake.wait_until(lambda: len(sessions.connects) == 2 and sessions.live)
    asked = await bot.fake.say(ALICE, "@chatops !get deployments -n prod", channel=OPS)
    await bot.fake.wait_until(lambda: len(answers_to(bot.fake, asked["id"])) == 1)
    assert bot.adapter.stream.connection_id == sessions.current.connection_id  # type: ignore[union-attr]
