"""The Slack adapter: slack-bolt `AsyncApp` over HTTP (`/slack/events`) or Socket Mode.

It turns Slack events, slash commands and button clicks into the core's
`IncomingMessage` / `router.handle_button` calls, and renders `Reply` as Block
Kit. It is the only place that imports `slack_bolt` / `slack_sdk`; it owns no
policy, no approvals and no audit rows.

Typical wiring (the service does this)::

    adapter = build_slack_adapter(app, settings=settings.slack, secrets=secrets)
    await adapter.start()                                    # registers its ChatSurface
    add_slack_routes(web_app, adapter)                       # slack.mode: http
    handler = await start_socket_mode(adapter, app_token=…)  # slack.mode: socket
    …
    await adapter.close()
"""

from .adapter import AdapterOptions, SlackAdapter, SlackConfigError, build_slack_adapter
from .cards import CardRef
from .http import EVENTS_PATH, add_slack_routes, slack_routes
from .socket import start_socket_mode
from .surface import SlackSurface

__all__ = [
    "EVENTS_PATH",
    "AdapterOptions",
    "CardRef",
    "SlackAdapter",
    "SlackConfigError",
    "SlackSurface",
    "add_slack_routes",
    "build_slack_adapter",
    "slack_routes",
    "start_socket_mode",
]
