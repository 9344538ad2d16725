"""`!chart` answers in the thread with the image: a Slack upload, a Discord attachment shown in an
embed, and on the console a file whose path is printed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.adapters.console import run_console
from bot.app import build_app
from tests.core.fixtures import Apps, make_config
from tests.discord.conftest import running_bot as discord_bot
from tests.fake_discord import payloads as p
from tests.fake_discord.plugin import ALICE, fake_discord  # noqa: F401  (a fixture)
from tests.fake_discord.server import FakeDiscord
from tests.fake_prometheus.server import FakePrometheus
from tests.fake_slack.plugin import fake_slack  # noqa: F401  (a fixture)
from tests.fake_slack.requests import mention
from tests.fake_slack.server import FakeSlack
from tests.prometheus.conftest import seed_web, settings_for
from tests.slack.harness import running_bot as slack_bot
from tools.kubernetes.clusters import ClusterSet
from tools.prometheus import prometheus_operations

PNG = b"\x89PNG\r\n\x1a\n"


async def test_slack_uploads_the_chart_into_the_thread(
    tmp_path: Path,
    fake_slack: FakeSlack,  # noqa: F811
    fake_prometheus: FakePrometheus,
    fake_cluster_set: ClusterSet,
) -> None:
    seed_web(fake_prometheus)
    operations = prometheus_operations(settings=settings_for(fake_prometheus), clusters=fake_cluster_set)
    url = f"sqlite+aiosqlite:///{tmp_path / 's.db'}"
    async with slack_bot(url, fake_slack, operations=operations, clusters=fake_cluster_set) as bot:
        await bot.sender.event(
            mention("!chart cpu deploy web -n prod", user="UALICE", ts="1699994000.000100")
        )
        (complete,) = await bot.fake.wait_for("files.completeUploadExternal")
        await bot.settle()
    (uploaded,) = fake_slack.uploads.values()
    assert uploaded.startswith(PNG)
    assert complete.args["channel_id"] == "C0OPS" and complete.args["thread_ts"] == "1699994000.000100"
    (post,) = fake_slack.calls_to("chat.postMessage")
    assert "max 400m" in str(post.args) and post.args.get("thread_ts") == "1699994000.000100"


async def test_discord_attaches_the_chart_and_shows_it_in_an_embed(
    sqlite_url: str,
    fake_discord: FakeDiscord,  # noqa: F811
    fake_prometheus: FakePrometheus,
    fake_cluster_set: ClusterSet,
) -> None:
    seed_web(fake_prometheus)
    operations = prometheus_operations(settings=settings_for(fake_prometheus), clusters=fake_cluster_set)
    async with discord_bot(sqlite_url, fake_discord, extra_operations=operations) as bot:
        await bot.fake.say(ALICE, "!chart memory deployment web -n prod", mention_bot=True)
        (answer,) = await bot.fake.wait_for(lambda: bot.fake.in_channel(p.CHANNEL_ID))
    (sent,) = [r for r in fake_discord.requests if r.files]
    ((name, data),) = sent.files
    assert name == "memory-deployment-web.png" and data.startswith(PNG)
    (embed,) = answer["embeds"]
    assert embed["image"]["url"] == "attachment://memory-deployment-web.png"
    assert "memory working set" in str(answer["content"])


async def test_the_console_saves_the_chart_and_prints_its_path(
    apps: Apps,
    sqlite_url: str,
    tmp_path: Path,
    fake_prometheus: FakePrometheus,
    fake_cluster_set: ClusterSet,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seed_web(fake_prometheus)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    operations = prometheus_operations(settings=settings_for(fake_prometheus), clusters=fake_cluster_set)
    app = apps.keep(
        await build_app(make_config(sqlite_url), operations=operations, clusters=fake_cluster_set)
    )
    out = io.StringIO()
    await run_console(
        app, user="ana", channel="term", stdin=io.StringIO("!chart cpu deploy web -n prod\n"), stdout=out
    )
    saved = [
        line.split("saved ", 1)[1] for line in out.getvalue().splitlines() if line.startswith("bot> saved ")
    ]
    (path,) = saved
    assert Path(path).parent == tmp_path / "cache" / "chatops" / "files"
    assert Path(path).read_bytes().startswith(PNG) and path.endswith("cpu-deployment-web.png")
