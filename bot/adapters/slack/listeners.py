"""The Bolt `AsyncApp` and its listeners: acknowledge first, then hand the work to a background task.

Every listener returns to Bolt (which then answers Slack) before any slow
work: events are acknowledged by Bolt itself, commands and clicks call
`ack()` as their first await, and the router runs in a task the adapter
tracks. Bolt's own middleware verifies signatures again, answers
`url_verification` and drops the bot's own events. Nothing here renders
replies or decides policy.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from typing import Any, Protocol

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.web.async_client import AsyncWebClient

from .acks import command_ack_text
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
        said = to_slack_text(body, bot_user_id=handlers.bot_user_id_now)
        if said is not None:
            handlers.spawn(handlers.on_text(said), name=f"slack-event-{said.event_id}")

    async def on_command(ack: AsyncAck, body: dict[str, Any]) -> None:
        command = to_slash_command(body)
        await ack(text=command_ack_text(command, slash_command=slash_command))
        if command is not None and command.text.strip():
            handlers.spawn(handlers.on_command(command), name=f"slack-command-{command.trigger_id}")

    async def on_action(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        click = to_click(body)
        if click is not None:
            handlers.spawn(handlers.on_click(click), name=f"slack-click-{click.approval_id}")

    bolt.event("app_mention")(on_event)
    bolt.event("message")(on_event)
    bolt.command(slash_command)(on_command)
    bolt.action(ACTION_PATTERN)(on_action)
    return bolt
