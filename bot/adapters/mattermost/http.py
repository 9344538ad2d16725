"""HTTP endpoints Mattermost calls: the slash command and the approval buttons.

`POST /mattermost/command` (a custom slash command, form data): the token
(form field or `Authorization: Token …`) must equal
`CHATOPS_MATTERMOST_SLASH_TOKEN`, compared in constant time; anything else
is answered 401 and reaches nobody. A valid command is acknowledged at once
(privately: "working on it") and answered in the channel by a task.

`POST /mattermost/actions` (integration actions, JSON): the button's signed
context must verify (`signing.py`), else the click is refused with one
plain sentence and nothing is looked up. A verified click is decided by a
task; the answer waits for it up to `ack_within_s`, so a refusal usually
arrives as the answer's `ephemeral_text`, and is otherwise posted privately
once decided. A click is never cancelled by a slow answer or a dropped
connection. This module converts requests and responses; it decides
nothing else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

from aiohttp import web

from .clicks import PrivateAnswer
from .markdown import clip, inline_code
from .payloads import Click, SlashCommand, to_click, to_slash_command
from .signing import SignedAction, is_token, verify_context
from .surface import MattermostSurface

log = logging.getLogger(__name__)

COMMAND_PATH = "/mattermost/command"
ACTIONS_PATH = "/mattermost/actions"
MAX_BODY_BYTES = 256 * 1024

USAGE = "Usage: `{command} <command or question>`, for example `{command} help`."
UNREADABLE = "Mattermost sent me a request I could not read; try again."
FORGED = (
    "I did not make this button (or my key for buttons has changed since), so I did nothing. "
    "Ask again to get a fresh card, or use !approve ID."
)


class Handlers(Protocol):
    """What the endpoints hand work to (the adapter)."""

    slash_token: str | None
    action_secret: str
    slash_command: str
    ack_within_s: float
    surface: MattermostSurface

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None]: ...

    async def on_command(self, command: SlashCommand) -> None: ...

    async def on_click(self, click: Click, signed: SignedAction, answer: PrivateAnswer) -> None: ...


def _ephemeral(text: str, *, status: int = 200) -> web.Response:
    return web.json_response({"response_type": "ephemeral", "text": text}, status=status)


def _token_of(request: web.Request, form: dict[str, str]) -> str | None:
    header = request.headers.get("Authorization", "")
    return form.get("token") or (header[len("Token ") :] if header.startswith("Token ") else None)


def command_handler(handlers: Handlers) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return _ephemeral("That request is too large.", status=413)
        form = {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if not is_token(handlers.slash_token, _token_of(request, form)):
            log.info("refused a slash command with a wrong or missing token from %s", request.remote)
            return _ephemeral("This command is not set up for this bot (wrong token).", status=401)
        command = to_slash_command(form)
        if command is None:
            return _ephemeral(UNREADABLE)
        if not command.text.strip():
            return _ephemeral(USAGE.format(command=command.command or handlers.slash_command))
        handlers.spawn(handlers.on_command(command), name=f"mattermost-command-{command.trigger_id[:16]}")
        return _ephemeral(f"Working on {inline_code(clip(command.text, 200))}…")

    return handle


def actions_handler(handlers: Handlers) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
            return web.json_response({"ephemeral_text": "That request is too large."}, status=413)
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"ephemeral_text": UNREADABLE}, status=400)
        click = to_click(body)
        if click is None:
            return web.json_response({"ephemeral_text": UNREADABLE}, status=400)
        signed = verify_context(handlers.action_secret, click.context)
        if signed is None:
            log.warning("refused a click with a bad signature on post %s by %s", click.post_id, click.user_id)
            return web.json_response({"ephemeral_text": FORGED})
        answer = PrivateAnswer(handlers.surface, click)
        task = handlers.spawn(
            handlers.on_click(click, signed, answer), name=f"mattermost-click-{signed.approval_id}"
        )
        # Wait a little for the decision (never cancelling it): a refusal then rides on this answer.
        await asyncio.wait({task}, timeout=handlers.ack_within_s)
        text = answer.take()
        return web.json_response({"ephemeral_text": text} if text else {})

    return handle


def add_mattermost_routes(web_app: web.Application, handlers: Handlers) -> None:
    """Mount both endpoints on the bot's one HTTP server."""
    web_app.router.add_post(COMMAND_PATH, command_handler(handlers))
    web_app.router.add_post(ACTIONS_PATH, actions_handler(handlers))
