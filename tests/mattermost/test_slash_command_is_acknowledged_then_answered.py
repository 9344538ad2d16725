"""The slash command: a wrong token is refused and reaches nobody; a right one is acknowledged at once
(privately) and answered in the channel below who asked, or through its response_url where the bot
may not post."""

from __future__ import annotations

from tests.fake_mattermost.plugin import ALICE, OPS
from tests.mattermost.conftest import SLASH_TOKEN, MattermostBot
from tests.mattermost.helpers import cards, shown


async def test_a_command_is_acknowledged_privately_and_answered_in_the_channel(bot: MattermostBot) -> None:
    status, ack = await bot.fake.slash(
        bot.command_url, ALICE, "get deployments -n prod", channel=OPS, token=SLASH_TOKEN
    )
    assert status == 200 and ack["response_type"] == "ephemeral" and "Working on" in ack["text"]
    await bot.fake.wait_until(lambda: len(bot.fake.bot_posts()) == 1)
    await bot.settle()
    (answer,) = bot.fake.bot_posts()
    assert answer["channel_id"] == OPS.id and answer["root_id"] == ""
    text = shown(answer["message"])
    assert "Alice asked `/k8s get deployments -n prod`" in text and "web" in text
    assert "@alice" not in text  # named, not pinged


async def test_a_change_by_slash_command_posts_its_card_in_the_channel(bot: MattermostBot) -> None:
    await bot.fake.slash(
        bot.command_url, ALICE, "scale deployment web --replicas 3 -n prod", channel=OPS, token=SLASH_TOKEN
    )
    await bot.fake.wait_until(lambda: len(cards(bot.fake)) == 1)
    await bot.settle()
    (card,) = cards(bot.fake)
    assert card["channel_id"] == OPS.id and "asked" in shown(card["message"])


async def test_a_wrong_or_missing_token_is_refused_and_reaches_nobody(bot: MattermostBot) -> None:
    for token in ("not-the-token", ""):
        status, answer = await bot.fake.slash(bot.command_url, ALICE, "get pods", channel=OPS, token=token)
        assert status == 401 and "wrong token" in answer["text"]
    await bot.settle()
    assert bot.fake.requests == [r for r in bot.fake.requests if r.path == "/users/me"]
    assert await bot.app.store.claim_event(platform="mattermost", event_id="probe")  # nothing else claimed


async def test_an_empty_command_gets_the_usage(bot: MattermostBot) -> None:
    status, answer = await bot.fake.slash(bot.command_url, ALICE, "  ", channel=OPS, token=SLASH_TOKEN)
    assert status == 200 and "Usage: `/k8s" in answer["text"]


async def test_where_the_bot_may_not_post_the_response_url_answers(bot: MattermostBot) -> None:
    bot.fake.outside.add(OPS.id)
    await bot.fake.slash(bot.command_url, ALICE, "get deployments -n prod", channel=OPS, token=SLASH_TOKEN)
    await bot.fake.wait_until(lambda: len(bot.fake.responses) == 1)
    await bot.settle()
    (response,) = bot.fake.responses
    assert response["response_type"] == "in_channel" and "web" in shown(response["text"])
    assert bot.fake.bot_posts() == []
