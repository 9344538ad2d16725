"""The console loop: read a message, send it to the router, print the replies.

Piped stdin: one message per line, as before (tests and scripts rely on it). A terminal: the
prompt of `terminal` (editing, history, completion, multi-line input); Ctrl-C during a turn
cancels it (an `!approve` keeps running: an approved change runs once and reports), Ctrl-C
at the prompt clears the line, Ctrl-D leaves. While it runs, the console's `ChatSurface` is
registered with the core: progress notes and notices of long-running changes print here, and
alert and cluster-event cards when the caller runs the alerts `alongside` (`chatops chat` with
`alerts.enabled`). A line that presses an alert card's button (`buttons.py`) is handed to the
router as that click, as a chat platform hands over its button payloads.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import signal
import sys
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TextIO

from bot.adapters.console.buttons import to_click
from bot.adapters.console.output import PREFIX, as_text, save_files, say
from bot.adapters.console.principal import to_principal
from bot.adapters.console.surface import ConsoleSurface
from bot.app import App
from bot.domain.models import IncomingMessage, Reply
from bot.gate.approvals import explain_state

PROMPT = "you> "
CANCELLED = "cancelled; nothing more runs for that message (a change already filed stays pending)"
KEEPS_RUNNING = "an approved change is running and will finish once; its result follows"


def to_message(line: str, *, user: str, channel: str) -> IncomingMessage:
    return IncomingMessage(principal=to_principal(user), channel=channel, text=line)


async def _read_line(stream: TextIO) -> str | None:
    line = await asyncio.to_thread(stream.readline)
    return line if line else None


async def run_turn(turn: Awaitable[list[Reply]], *, cancellable: bool, out: TextIO) -> list[Reply] | None:
    """Run one message; Ctrl-C (SIGINT) cancels it when `cancellable`. None when cancelled."""
    loop = asyncio.get_running_loop()
    task = asyncio.ensure_future(turn)

    def interrupt() -> None:
        if cancellable:
            task.cancel()
        else:
            say(out, PREFIX + KEEPS_RUNNING)

    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGINT, interrupt)
    try:
        return await task
    except asyncio.CancelledError:
        if not task.cancelled():
            raise
        say(out, PREFIX + CANCELLED)
        return None
    finally:
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.remove_signal_handler(signal.SIGINT)


Alongside = Callable[[], AbstractAsyncContextManager[object]]


async def run_console(
    app: App,
    *,
    user: str,
    channel: str,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    alongside: Alongside | None = None,
) -> int:
    """`alongside`: work that runs while the console does, started once its surface is registered
    and the app has started (the alerts: their cards print here)."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    if isinstance(stdin, io.TextIOWrapper):
        stdin.reconfigure(errors="replace")  # invalid UTF-8 becomes U+FFFD, never a crash
    surface = ConsoleSurface(stdout)
    app.surfaces.register(surface)
    try:
        return await _converse(
            app, user=user, channel=channel, stdin=stdin, stdout=stdout, alongside=alongside
        )
    finally:
        app.surfaces.unregister(surface)


async def _converse(
    app: App, *, user: str, channel: str, stdin: TextIO, stdout: TextIO, alongside: Alongside | None
) -> int:
    for row in await app.start():
        say(stdout, f"{PREFIX}{explain_state(row)}")
    async with alongside() if alongside is not None else contextlib.nullcontext():
        return await _chat(app, user=user, channel=channel, stdin=stdin, stdout=stdout)


def _answer(app: App, line: str, *, user: str, channel: str) -> Awaitable[list[Reply]]:
    """The router's answer to a line: a click when it presses an alert card's button, else a message."""
    click = to_click(line)
    if click is None:
        return app.router.handle(to_message(line, user=user, channel=channel))

    async def clicked() -> list[Reply]:
        _, replies = await app.router.handle_button(
            principal=to_principal(user),
            action=click.action,
            approval_id=click.fingerprint,
            channel=channel,
            thread=None,
        )
        return replies

    return clicked()


async def _chat(app: App, *, user: str, channel: str, stdin: TextIO, stdout: TextIO) -> int:
    interactive = stdin.isatty() and stdout.isatty()
    if interactive:
        from bot.adapters.console.terminal import Terminal
        from bot.settings.database_home import describe

        terminal = Terminal(app, user=user, channel=channel)
        say(
            stdout,
            f"chatops console — you are '{user}' in '{channel}'; database {describe(app.config.database_url)}.\n"
            "Type !help (Tab completes; ``` or a trailing \\ continues a message). Ctrl-C cancels, Ctrl-D leaves.",
        )
        read = terminal.read_message
    else:
        read = lambda: _read_line(stdin)  # noqa: E731
    while True:
        line = await read()
        if line is None:
            break
        line = line.strip()
        if not line or (line.startswith("#") and "\n" not in line):
            continue
        if line in ("exit", "quit") and interactive:
            break
        turn = _answer(app, line, user=user, channel=channel)
        if interactive:
            replies = await run_turn(turn, cancellable=not line.lstrip("!").startswith("approve"), out=stdout)
        else:
            replies = await turn
        for reply in replies or []:
            say(stdout, as_text(reply), page=interactive)
            for path in save_files(reply):
                say(stdout, f"{PREFIX}saved {path}")
    # Long-running changes started here finish before the console leaves.
    await app.executor.drain(timeout_s=24 * 3600)
    return 0
