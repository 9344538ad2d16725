"""The Mattermost adapter: REST API v4 and the WebSocket event stream, over `aiohttp`.

It turns `posted` events (mentions, direct messages, threads), the custom
slash command and integration-action clicks into the core's
`IncomingMessage` / `router.handle_button` calls, and renders `Reply` as
Mattermost posts through `MattermostSurface` (the core's `ChatSurface`
port). It owns no policy, no approvals and no audit rows.

Typical wiring (the service does this)::

    adapter = build_mattermost_adapter(app, settings=settings.mattermost, secrets=secrets)
    adapter.add_routes(web_app)   # POST /mattermost/command, POST /mattermost/actions
    await adapter.start()         # users/me, then the WebSocket
    …
    await adapter.stop()
"""

from .adapter import AdapterOptions, BotUser, MattermostAdapter
from .cards import CardIndex, CardRef
from .http import ACTIONS_PATH, COMMAND_PATH
from .service import MattermostConfigError, build_mattermost_adapter, service_adapter
from .surface import PLATFORM, MattermostSurface

__all__ = [
    "ACTIONS_PATH",
    "COMMAND_PATH",
    "PLATFORM",
    "AdapterOptions",
    "BotUser",
    "CardIndex",
    "CardRef",
    "MattermostAdapter",
    "MattermostConfigError",
    "MattermostSurface",
    "build_mattermost_adapter",
    "service_adapter",
]
