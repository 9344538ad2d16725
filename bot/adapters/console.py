"""The console adapter: a chat on a terminal, or one message per line on piped stdin.

It turns lines into `IncomingMessage`s and prints rendered replies; it owns
nothing else (no policy, no approvals: `!approve ID` goes through the router
like any other command).
"""

from __future__ import annotations

import asyncio
import io
import sys
from typing import TextIO

from bot.app import App
from bot.approvals import explain_state
from bot.models import IncomingMessage, Principal
from bot.render import render_text
from bot.replies import approval_card
from bot.terminal import escape_terminal
from storage.records import ApprovalRecord

PROMPT = "you> "


def to_message(line: str, *, user: str, channel: str) -> IncomingMessage:
    return IncomingMessage(principal=Principal("console", user, user), channel=channel, text=line)


async def _read_line(stream: TextIO, interactive: bool) -> str | None:
    if interactive:
        try:
            return await asyncio.to_thread(input, PROMPT)
        except EOFError:
            return None
    line = await asyncio.to_thread(stream.readline)
    return line if line else None


async def run_console(
    app: App, *, user: str, channel: str, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(errors="replace")  # invalid UTF-8 becomes U+FFFD, never a crash
    interactive = stdin.isatty()

    async def progress(record: ApprovalRecord, line: str) -> None:
        print(escape_terminal(f"bot> [{record.id} {record.operation}] {line}"), file=stdout, flush=True)

    async def finished(record: ApprovalRecord, text: str) -> None:
        card = render_text(approval_card(record)).replace("\n", "\n     ")
        print(escape_terminal("bot> " + card), file=stdout, flush=True)

    app.executor.progress_sink = progress
    app.executor.notice = finished
    for row in await app.start():
        print(escape_terminal(f"bot> {explain_state(row)}"), file=stdout)
    if interactive:
        print(
            f"chatops console — you are '{user}' in '{channel}'. Type !help, or Ctrl-D to leave.", file=stdout
        )
    while True:
        line = await _read_line(stdin, interactive)
        if line is None:
            break
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line in ("exit", "quit") and interactive:
            break
        for reply in await app.router.handle(to_message(line, user=user, channel=channel)):
            print(escape_terminal("bot> " + render_text(reply).replace("\n", "\n     ")), file=stdout)
        stdout.flush()
    # Long-running changes started here finish before the console leaves.
    await app.executor.drain(timeout_s=24 * 3600)
    return 0
