"""Whatever a tool returns is redacted by the executor, even when the tool forgot to."""

from __future__ import annotations

from bot.app import build_app
from bot.domain.render import render_text
from tests.core.fixtures import make_config
from tests.core.helpers import msg
from tools.base import Args, CommandSpec, Operation, OperationResult, RunContext, Safety, Status, Table
from tools.kubernetes.clusters import ClusterSet

TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"


async def careless(args: Args, ctx: RunContext) -> OperationResult:
    return OperationResult(
        Status.OK,
        f"release notes: use token {TOKEN}",
        table=Table(("key", "value"), (("token", TOKEN),)),
        code=f"password: {TOKEN}",
        data={"token": TOKEN},
    )


async def test_a_careless_tool_cannot_leak_through_the_reply(sqlite_url: str) -> None:
    operation = Operation("demo_notes", "Notes.", Safety.READ, Args, careless, CommandSpec(("notes",)))
    app = await build_app(make_config(sqlite_url), operations=[operation], clusters=ClusterSet([]))
    try:
        replies = await app.router.handle(msg("!notes"))
    finally:
        await app.close()
    shown = "\n".join(render_text(r) for r in replies)
    assert "release notes" in shown and TOKEN not in shown
