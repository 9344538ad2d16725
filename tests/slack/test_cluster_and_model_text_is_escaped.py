"""Text from a cluster or a model cannot ping @channel, mention someone or fake a link."""

from __future__ import annotations

from pathlib import Path

from bot.domain.models import IncomingMessage, Reply
from bot.domain.outcomes import RequestContext
from tests.core.demo_ops import Backend
from tests.fake_slack.requests import mention
from tests.fake_slack.server import FakeSlack
from tests.slack.harness import SlackBot, running_bot
from tests.slack.helpers import shown


async def test_cluster_output_with_a_broadcast_arrives_escaped(tmp_path: Path, fake_slack: FakeSlack) -> None:
    backend = Backend(replicas={"<!channel>": 1, "a&b": 2, "<@U0BOSS>": 3})
    async with running_bot(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", fake_slack, backend=backend) as bot:
        await bot.sender.event(mention("!demo get", user="UALICE"))
        (post,) = await bot.fake.wait_for("chat.postMessage")
        await bot.settle()
    text = shown(post.json_arg("blocks")) + post.args["text"]
    assert "&lt;!channel&gt;" in text and "&lt;@U0BOSS&gt;" in text and "a&amp;b" in text
    assert "<!channel>" not in text and "<@U0BOSS>" not in text


class MischievousModel:
    async def answer(self, message: IncomingMessage, ctx: RequestContext) -> list[Reply]:
        return [
            Reply(
                "Done <!here>, see <https://evil.example|the dashboard> and ask <@U0BOSS>", code="<!channel>"
            )
        ]


async def test_model_text_cannot_mention_or_link(bot: SlackBot) -> None:
    bot.app.router.agent = MischievousModel()
    await bot.sender.event(mention("summarise", user="UALICE"))
    (post,) = await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    text = shown(post.json_arg("blocks")) + post.args["text"]
    for live in ("<!here>", "<https://", "<@U0BOSS>", "<!channel>"):
        assert live not in text
    assert "&lt;https://evil.example|the dashboard&gt;" in text
    assert post.args["unfurl_links"] is False


async def test_a_linkified_name_reaches_the_router_as_typed(bot: SlackBot) -> None:
    event = mention("!demo get web", user="UALICE")
    event["text"] = "<@UBOT> !demo get <http://web|web>"
    await bot.sender.event(event)
    await bot.fake.wait_for("chat.postMessage")
    await bot.settle()
    assert bot.backend.runs == [("get", {"cluster": None, "namespace": None, "name": "web"})]
