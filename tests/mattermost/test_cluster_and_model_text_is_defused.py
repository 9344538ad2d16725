"""Text from a cluster or a model cannot ping @channel, mention a person, fake a link or an image, or
close a code block early: it reaches Mattermost as text. Long output goes into a file."""

from __future__ import annotations

import re

import pytest

from bot.adapters.mattermost.render import Buttons, render_reply
from bot.domain.models import Reply, ReplyField, ReplyKind
from tests.fake_k8s.server import FakeKubernetes
from tests.fake_mattermost.plugin import ALICE, OPS
from tests.mattermost.conftest import MattermostBot
from tests.mattermost.helpers import answers_to, shown

BUTTONS = Buttons(callback_url="http://bot.example/mattermost/actions", secret="s3cret-for-tests")
HOSTILE = "@channel @here @all @alice ~town-square [log in](http://evil.example) ![x](http://evil.example/p.png) <http://evil.example>"
# Mattermost's own mention syntax: @ or ~ followed directly by a name character.
MENTION = re.compile(r"[@~][A-Za-z0-9]")
LINK = re.compile(r"(?<!\\)\]\(|(?<!\\)<http")
CODE = re.compile(r"^```\n.*?\n```$", re.S | re.M)


def outside_code(message: str) -> str:
    """Markdown renders links outside code blocks only (mentions are defused inside them too)."""
    return CODE.sub("", message)


@pytest.mark.parametrize(
    "reply",
    [
        Reply(HOSTILE),
        Reply("ok", code=HOSTILE),
        Reply("ok", code="line\n```\n" + HOSTILE + "\n~~~\nend"),
        Reply(
            "card", kind=ReplyKind.APPROVAL, fields=(ReplyField("Change", HOSTILE), ReplyField(HOSTILE, "x"))
        ),
    ],
    ids=["text", "code", "fence-breaking code", "fields"],
)
def test_nothing_relayed_is_live_markup(reply: Reply) -> None:
    message = render_reply(reply, buttons=BUTTONS).message
    assert not MENTION.search(message), message
    assert not LINK.search(outside_code(message)), message
    fences = [line for line in message.splitlines() if line.startswith(("```", "~~~"))]
    assert len(fences) in (0, 2)  # a block opens and closes once, at the lines this module wrote
    assert "@channel" in shown(message) and "[log in](http://evil.example)" in shown(message)


def test_long_output_is_attached_with_a_preview() -> None:
    code = "\n".join(f"line {i} @channel" for i in range(3000))
    rendered = render_reply(Reply("logs", code=code), buttons=BUTTONS)
    assert len(rendered.message) < 16383 and "Showing 15 of 3000 lines" in rendered.message
    (upload,) = rendered.uploads
    assert upload.content.decode() == code  # the file is the whole output, as it came


async def test_pod_logs_with_mentions_and_links_arrive_as_text(
    bot: MattermostBot, fake_k8s: FakeKubernetes
) -> None:
    pod = next(
        p["metadata"]["name"]
        for p in fake_k8s.objects("Pod", "prod")
        if p["metadata"]["name"].startswith("web-")
    )
    fake_k8s.logs.add("prod", pod, [HOSTILE, "```", "@channel after a fence"], container="nginx")
    asked = await bot.fake.say(ALICE, f"@chatops !logs {pod} -n prod", channel=OPS)
    await bot.fake.wait_until(lambda: len(answers_to(bot.fake, asked["id"])) == 1)
    await bot.settle()
    (answer,) = answers_to(bot.fake, asked["id"])
    assert "@channel" in shown(answer["message"])
    assert not MENTION.search(answer["message"]) and not LINK.search(outside_code(answer["message"]))
    (request,) = bot.fake.created
    assert request.body["props"] == {}  # no attachments, so nothing there to carry markup either
