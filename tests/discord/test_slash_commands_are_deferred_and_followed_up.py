"""A slash command is acknowledged at once (deferred) and completed with follow-ups from the router."""

from __future__ import annotations

from tests.discord.conftest import DiscordBot
from tests.fake_discord.plugin import ALICE


async def test_k8s_command_is_deferred_then_answered_with_the_result(bot: DiscordBot) -> None:
    interaction = await bot.fake.slash(ALICE, "k8s", {"command": "demo get"})
    replies = await bot.fake.wait_for(
        lambda: [m for m in bot.fake.replies_to(interaction) if not m["flags"] & 128]
    )
    assert [c["type"] for c in bot.fake.callbacks(interaction)] == [5]
    (reply,) = replies
    assert "3 app(s)" in reply["content"]
    assert "web" in reply["content"] and "```" in reply["content"]
    assert bot.backend.runs == [("get", {"cluster": None, "namespace": None, "name": None})]
