"""The Bolt `AsyncApp` and its listeners: acknowledge first, then hand the work to a background task.

Every listener returns to Bolt (which then answers Slack) before any slow
work: events are acknowledged by Bolt itself, commands and clicks call
`ack()` as their first await, and the router runs in a task the adapter
tracks. Bolt's own middleware verifies signatures again, answers
`url_verification` and drops the bot's own events. Nothing here renders
replies or decides policy.

What a listener starts is `start_work()`'s, which also starts the work of a
request the ack server has already acknowledged (`http.dispatch_handover`):
there Bolt's matching has been done by `acks.route_of`, in Bolt's order, and
Bolt's dropping of the bot's own events is within `to_slack_text`'s (which
drops every bot's events, the bot's own user's too).
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine, Mapping
from typing import Any, Protocol

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from .acks import Route, command_ack_text
from .blocks import ACTION_PATTERN
from .payloads import Click, SlackText, SlashCommand, to_click, to_slack_text, to_slash_command

log = logging.getLogger(__name__)


class Handlers(Protocol):
    """What the listeners hand work to (the adapter)."""

    @property
    def bot_user_id_now(self) -> str | None: ...

    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> None: ...

    async def on_text(self, said: SlackText) -> None: ...

    async def on_command(self, command: SlashCommand) -> None: ...

    async def on_click(self, click: Click) -> None: ...

    async def identity(self) -> Any: ...


def start_event(handlers: Handlers, body: Mapping[str, Any]) -> None:
    said = to_slack_text(body, bot_user_id=handlers.bot_user_id_now)
    if said is not None:
        handlers.spawn(handlers.on_text(said), name=f"slack-event-{said.event_id}")


def start_command(handlers: Handlers, command: SlashCommand | None) -> None:
    if command is not None and command.text.strip():
        handlers.spawn(handlers.on_command(command), name=f"slack-command-{command.trigger_id}")


def start_click(handlers: Handlers, body: Mapping[str, Any]) -> None:
    click = to_click(body)
    if click is not None:
        handlers.spawn(handlers.on_click(click), name=f"slack-click-{click.approval_id}")


async def start_work(handlers: Handlers, route: Route, payload: Mapping[str, Any]) -> None:
    """The work Bolt's listener for `route` starts for an already acknowledged request."""
    if route is Route.EVENT:
        if handlers.bot_user_id_now is None:
            await handlers.identity()  # what Bolt's `authorize` does first: learn who the bot is
        start_event(handlers, payload)
    elif route is Route.COMMAND:
        start_command(handlers, to_slash_command(payload))
    elif route is Route.ACTION:
        start_click(handlers, payload)
    # ssl_check and url_verification start nothing: Bolt's middleware only answers them


def build_bolt(
    *, client: AsyncWebClient, signing_secret: str, slash_command: str, handlers: Handlers
) -> AsyncApp:
    async def authorize(**_: Any) -> AuthorizeResult:
        # One cached auth.test for the bot (not one per request, nor a burst of them at start).
        me = await handlers.identity()
        return AuthorizeResult(
            enterprise_id=None,
            team_id=me.team_id,
            bot_token=client.token,
            bot_id=me.bot_id,
            bot_user_id=me.user_id,
        )

    bolt = AsyncApp(
        client=client,
        authorize=authorize,
        signing_secret=signing_secret,
        logger=logging.getLogger("bot.adapters.slack.bolt"),
        # Bolt answers when the listener returns. Ours return at once (the work runs in a task);
        # with False, Bolt would instead poll every 10 ms for a command's or click's ack().
        process_before_response=True,
        # Slack retries an unacknowledged event; answering 404 for one we ignore would only invite retries.
        raise_error_for_unhandled_request=False,
    )

    async def on_event(body: dict[str, Any]) -> None:
        start_event(handlers, body)

    async def on_command(ack: AsyncAck, body: dict[str, Any]) -> None:
        command = to_slash_command(body)
        await ack(text=command_ack_text(command, slash_command=slash_command))
        start_command(handlers, command)

    async def on_action(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        start_click(handlers, body)

    bolt.event("app_mention")(on_event)
    bolt.event("message")(on_event)
    bolt.command(slash_command)(on_command)
    bolt.action(ACTION_PATTERN)(on_action)
    return bolt
