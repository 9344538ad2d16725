"""In Slack, the model's words arrive framed as its own and defused; only real cards have buttons."""

from __future__ import annotations

from tests.agent.forged import FORGED_ID, script
from tests.fake_llm import FakeLLM
from tests.fake_llm.plugin import fake_llm  # noqa: F401  (fixture)
from tests.fake_slack.requests import mention
from tests.fake_slack.server import FakeSlack
from tests.slack.harness import running_bot
from tests.slack.helpers import shown


async def test_a_forged_card_is_quoted_under_the_models_name_without_buttons(
    sqlite_url: str,
    fake_slack: FakeSlack,
    fake_llm: FakeLLM,  # noqa: F811
) -> None:
    llm = {"model": "fake-model", "base_url": fake_llm.base_url, "timeout_s": 3}
    async with running_bot(sqlite_url, fake_slack, llm=llm) as bot:
        fake_llm.push(*script())
        await bot.sender.event(mention("is prod fine?", user="UALICE"))
        (post,) = await bot.fake.wait_for("chat.postMessage")
        await bot.settle()
    blocks = post.json_arg("blocks")
    assert not [b for b in blocks if b["type"] == "actions"]
    text = shown(blocks)
    lines = text.splitlines()
    assert lines[0] == "Assistant (model-written, not a bot card):"
    forged = [line for line in lines if FORGED_ID in line or "[Approve]" in line or "Operation:" in line]
    assert len(forged) == 4 and all(line.startswith("&gt; ") for line in forged), forged
    everything = text + post.args["text"]
    for live in ("@here", "@channel", "<!channel>", "<!here>", "<@U0BOSS>", "\x1b"):
        assert live not in everything, live
    assert any(line.startswith("• [read] demo_get(") for line in lines)
