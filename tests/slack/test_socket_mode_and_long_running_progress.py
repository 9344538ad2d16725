"""Socket Mode delivers events and acknowledges them over the socket; a long-running approved
change shows progress in one note edited in place, then updates its card with the outcome."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field

from bot.adapters.slack import start_socket_mode
from bot.app import build_app
from tests.core.conftest import make_config
from tests.core.demo_ops import Backend, demo_operations
from tests.core.fixtures import Apps
from tests.fake_slack.requests import click_payload, command_fields, event_body, mention
from tests.fake_slack.server import APP_TOKEN, FakeSlack
from tests.slack.harness import POLICY, SlackBot
from tests.slack.helpers import approval_id_of, card_calls, shown
from tools.base import (
    CommandSpec,
    NamespacedArgs,
    Operation,
    OperationResult,
    Preview,
    RunContext,
    Safety,
    Status,
)
from tools.kubernetes.clusters import ClusterSet


async def test_socket_mode_answers_a_mention_and_acks_the_envelope(bot: SlackBot) -> None:
    handler = await start_socket_mode(bot.adapter, app_token=APP_TOKEN)
    try:
        (opened,) = bot.fake.calls_to("apps.connections.open")
        assert opened.token == APP_TOKEN
        body = json.loads(event_body(mention("!demo get web", user="UALICE", ts="1699996000.000100")))
        envelope = await bot.fake.push("events_api", body)
        (ack,) = await bot.fake.wait_for("socket_ack")
        (post,) = await bot.fake.wait_for("chat.postMessage")
        await bot.settle()
    finally:
        await handler.close_async()
    assert ack.args["envelope_id"] == envelope
    assert post.args["thread_ts"] == "1699996000.000100"
    assert "web" in shown(post.json_arg("blocks"))


async def test_socket_mode_slash_commands_and_clicks_reach_the_same_handlers(bot: SlackBot) -> None:
    handler = await start_socket_mode(bot.adapter, app_token=APP_TOKEN)
    try:
        await bot.fake.push("slash_commands", command_fields("demo scale web --replicas 3", user="UALICE"))
        (card,) = await bot.fake.wait_for("chat.postMessage")
        await bot.settle()
        ts = bot.fake.result_of(card)["ts"]
        click = click_payload("approve", approval_id_of(card), user="UOLGA", channel="C0OPS", message_ts=ts)
        await bot.fake.push("interactive", click)
        await bot.fake.wait_for("chat.update")
        await bot.settle()
    finally:
        await handler.close_async()
    assert bot.backend.replicas["web"] == 3
    assert len(bot.fake.socket_acks) == 2


class RolloutArgs(NamespacedArgs):
    name: str = Field(max_length=63)


def rollout_operation(steps: int) -> Operation:
    async def preview(args: RolloutArgs, ctx: RunContext) -> Preview:
        return Preview(text=f"app/{args.name} will be rolled out in {steps} steps")

    async def run(args: RolloutArgs, ctx: RunContext) -> OperationResult:
        for step in range(1, steps + 1):
            await ctx.progress(f"step {step}/{steps}: <!channel> pod web-{step} ready")
        return OperationResult(Status.OK, f"app/{args.name} rolled out")

    return Operation(
        "demo_rollout",
        "Roll out a demo app.",
        Safety.WRITE,
        RolloutArgs,
        run,
        CommandSpec(("demo", "rollout"), positionals=("name",)),
        preview=preview,
        kind="app",
        long_running=True,
    )


async def test_a_long_running_change_shows_progress_then_its_outcome(
    apps: Apps, tmp_path: Path, fake_slack: FakeSlack
) -> None:
    from aiohttp import web

    from bot.adapters.slack import build_slack_adapter, slack_routes
    from bot.settings.config import Secrets
    from bot.settings.platforms import SlackSettings
    from tests.fake_slack.requests import SIGNING_SECRET, SlackSender
    from tests.fake_slack.server import BOT_TOKEN

    backend = Backend()
    config = make_config(f"sqlite+aiosqlite:///{tmp_path / 'r.db'}", policy=POLICY)
    app = apps.keep(
        await build_app(
            config, operations=[*demo_operations(backend), rollout_operation(5)], clusters=ClusterSet([])
        )
    )
    adapter = build_slack_adapter(
        app,
        settings=SlackSettings(api_base_url=fake_slack.api_url),
        secrets=Secrets(slack_bot_token=BOT_TOKEN, slack_signing_secret=SIGNING_SECRET),
    )
    await adapter.start()
    runner = web.AppRunner(slack_routes(adapter))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        async with SlackSender(f"http://127.0.0.1:{port}/slack/events") as sender:
            await sender.event(mention("!demo rollout web", user="UALICE", ts="1699997000.000100"))
            (card,) = await fake_slack.wait_for("chat.postMessage")
            await adapter.drain()
            await sender.click(
                "approve",
                approval_id_of(card),
                user="UOLGA",
                channel="C0OPS",
                message_ts=fake_slack.result_of(card)["ts"],
                thread_ts="1699997000.000100",
            )
            await fake_slack.wait_for("chat.update", 3)
            await adapter.drain()
            assert await app.executor.drain(5) == 0
            await adapter.drain()
    finally:
        await adapter.close()
        await runner.cleanup()
    posts = fake_slack.calls_to("chat.postMessage")
    notes = [p for p in posts if "Working on approval" in (p.args.get("text") or "")]
    assert len(notes) == 1 and notes[0].args["thread_ts"] == "1699997000.000100"
    note_ts = fake_slack.result_of(notes[0])["ts"]
    edits = [u for u in fake_slack.calls_to("chat.update") if u.args["ts"] == note_ts]
    assert edits and "Finished approval" in edits[-1].args["text"]
    assert "&lt;!channel&gt;" in shown(edits[-1].json_arg("blocks"))
    card_ts = fake_slack.result_of(card)["ts"]
    card_updates = [u for u in fake_slack.calls_to("chat.update") if u.args["ts"] == card_ts]
    assert "succeeded" in shown(card_updates[-1].json_arg("blocks"))
    assert any("rolled out" in (p.args.get("text") or "") for p in posts)
    assert len(card_calls(posts)) == 1
