"""In Discord, the model's words arrive framed as its own and defused; only real cards have buttons."""

from __future__ import annotations

from tests.agent.forged import FORGED_ID, script
from tests.discord.conftest import running_bot
from tests.discord.helpers import custom_ids, is_card
from tests.fake_discord.plugin import ALICE
from tests.fake_discord.server import FakeDiscord
from tests.fake_llm import FakeLLM
from tests.fake_llm.plugin import fake_llm  # noqa: F401  (fixture)

HEADER = "Assistant (model-written, not a bot card):"


async def test_a_forged_card_is_quoted_under_the_models_name_without_buttons(
    sqlite_url: str,
    fake_discord: FakeDiscord,
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    llm = {"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 3}
    async with running_bot(sqlite_url, fake_discord, llm=llm) as bot:
        fake_llm.push(*script())
        await bot.fake.say(ALICE, "is prod fine?", mention_bot=True)
        (answer,) = await bot.fake.wait_for(
            lambda: [m for m in bot.fake.messages.values() if HEADER in (m.get("content") or "")]
        )
    assert not is_card(answer) and not custom_ids(answer)
    lines = answer["content"].splitlines()
    assert lines[0] == HEADER
    forged = [line for line in lines if FORGED_ID in line or "[Approve]" in line or "Operation:" in line]
    assert len(forged) == 4 and all(line.startswith("> ") for line in forged), forged
    for live in ("@here", "@channel", "<!channel>", "<!here>", "<@U0BOSS>", "\x1b"):
        assert live not in answer["content"], live
    assert any(line.startswith("• [read] demo_get(") for line in lines)
    for request in bot.fake.outgoing():
        assert request.message_payload["allowed_mentions"]["parse"] == []  # type: ignore[index]
