"""Socket Mode: the bot opens an outbound WebSocket to Slack (`SLACK_APP_TOKEN`), no public URL needed.

Slack's envelopes go to the same Bolt app as HTTP requests; acknowledgements
travel back over the socket (Bolt does that once a listener has acked).
Signatures are not used here: the connection itself is authenticated by the
app-level token. This module connects and disconnects; it decides nothing.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from .adapter import SlackAdapter, SlackConfigError

log = logging.getLogger(__name__)


async def start_socket_mode(
    adapter: SlackAdapter, *, app_token: str | None, ping_interval_s: float = 10.0
) -> AsyncSocketModeHandler:
    """Connect and return the handler; `await handler.close_async()` to disconnect."""
    if not app_token:
        raise SlackConfigError("SLACK_APP_TOKEN is not set; Socket Mode needs the app-level token (xapp-…)")
    handler = AsyncSocketModeHandler(
        adapter.bolt,
        app_token=app_token,
        web_client=adapter.client,
        logger=logging.getLogger("bot.adapters.slack.socket_mode"),
        ping_interval=ping_interval_s,
    )
    await handler.connect_async()  # type: ignore[no-untyped-call]
    log.info("connected to Slack in Socket Mode")
    return handler
