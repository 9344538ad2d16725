"""The Slack adapter: one object holding the Bolt app, the Web API client and the background work.

`build_slack_adapter()` wires it from the settings and secrets; `start()`
learns who the bot is (`auth.test`) and registers the Slack `ChatSurface`
with the core (which then posts progress notes, notices and redrawn cards
through it); `close()` lets work finish and takes the surface out again.
Transports (`http.py`, `socket.py`) feed Slack requests to `adapter.bolt`; requests
the ack server has acknowledged skip Bolt and start the listeners' work directly
(`http.dispatch_handover`).
The adapter owns no policy and no state beyond caches; approval cards are in
the core's index (`app.cards`); everything it is told goes to `app.router`.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import logging
from collections.abc import Coroutine, Iterator
from typing import Any, Literal

import aiohttp
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.app import App
from bot.settings.config import Secrets
from bot.settings.platforms import SlackSettings

from .clicks import Clicks
from .conversations import Conversations
from .directory import Directory
from .listeners import build_bolt
from .payloads import Click, SlackText, SlashCommand
from .poster import API_ERRORS, Poster
from .surface import SlackSurface

log = logging.getLogger(__name__)


class SlackConfigError(Exception):
    """The Slack adapter cannot start; the message says which setting to fix."""


@dataclasses.dataclass(frozen=True)
class AdapterOptions:
    slash_command: str = "/k8s"
    reply: Literal["in_channel", "ephemeral"] = "in_channel"
    progress_after_s: float = 2.0  # show an hourglass when an answer takes longer
    groups_ttl_s: float = 300.0  # how long Slack user-group memberships are cached
    max_concurrent_work: int = 8  # answers worked on at once; the rest queue, so acks stay fast


@dataclasses.dataclass(frozen=True)
class BotIdentity:
    user_id: str | None
    bot_id: str | None
    team_id: str | None


@dataclasses.dataclass
class HeldWork:
    """Work spawned while a request is being answered, started once the answer is on the wire."""

    items: list[tuple[Coroutine[Any, Any, None], str]] = dataclasses.field(default_factory=list)
    open: bool = True


# Set by the HTTP transport around one dispatch; the listeners' `spawn()` puts work here meanwhile.
_HELD: contextvars.ContextVar[HeldWork | None] = contextvars.ContextVar("slack_held_work", default=None)


def api_base_url(configured: str | None) -> str | None:
    if not configured:
        return None
    return configured if configured.endswith("/") else configured + "/"


class SlackAdapter:
    def __init__(
        self,
        *,
        app: App,
        client: AsyncWebClient,
        signing_secret: str | None,
        options: AdapterOptions,
    ) -> None:
        self.app = app
        self.client = client
        self.options = options
        self.signing_secret = signing_secret or ""
        self.directory = Directory(client, ttl_s=options.groups_ttl_s)
        self.poster = Poster(client, cards=app.cards, team_id=self._known_team_id)
        self.surface = SlackSurface(self.poster, team_id=self._known_team_id)
        self._conversations = Conversations(
            router=app.router,
            directory=self.directory,
            poster=self.poster,
            bot_user_id=self._bot_user_id,
            reply_mode=options.reply,
            progress_after_s=options.progress_after_s,
        )
        self._clicks = Clicks(
            router=app.router,
            directory=self.directory,
            poster=self.poster,
            cards=app.cards,
            team_id=self._team_id,
        )
        self._identity: BotIdentity | None = None
        self._session: aiohttp.ClientSession | None = None
        self._identity_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(options.max_concurrent_work)
        self.bolt = build_bolt(
            client=client,
            signing_secret=self.signing_secret,
            slash_command=options.slash_command,
            handlers=self,
        )

    # --- who the bot is -------------------------------------------------------------------
    @property
    def bot_user_id_now(self) -> str | None:
        return self._identity.user_id if self._identity else None

    async def identity(self) -> BotIdentity:
        """`auth.test`, once; a failure is retried on the next call rather than cached."""
        async with self._identity_lock:
            if self._identity is None:
                try:
                    response = await self.client.auth_test()
                except API_ERRORS as e:
                    log.warning(
                        "auth.test failed (%s); the bot's Slack identity is unknown for now", type(e).__name__
                    )
                    return BotIdentity(None, None, None)
                self._identity = BotIdentity(
                    response.get("user_id"), response.get("bot_id"), response.get("team_id")
                )
            return self._identity

    async def _bot_user_id(self) -> str | None:
        return (await self.identity()).user_id

    async def _team_id(self) -> str | None:
        return (await self.identity()).team_id

    def _known_team_id(self) -> str | None:
        return self._identity.team_id if self._identity else None

    # --- work handed over by the listeners ---------------------------------------------------
    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        held = _HELD.get()
        if held is not None and held.open:
            held.items.append((work, name))
            return
        self._start(work, name=name)

    @contextlib.contextmanager
    def holding_work(self) -> Iterator[HeldWork]:
        """Hold what listeners spawn during this block; `start_held()` starts it after the ack is sent.

        A task started during the dispatch would run its first steps (history, policy, the
        router) before the transport writes the ack; held, it starts after.
        """
        held = HeldWork()
        token = _HELD.set(held)
        try:
            yield held
        finally:
            _HELD.reset(token)

    def start_held(self, held: HeldWork) -> None:
        held.open = False  # anything spawned later (a listener outliving the dispatch) starts at once
        items, held.items = held.items, []
        for work, name in items:
            self._start(work, name=name)

    def _start(self, work: Coroutine[Any, Any, None], *, name: str) -> None:
        task = asyncio.create_task(self._in_slot(work), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    async def _in_slot(self, work: Coroutine[Any, Any, None]) -> None:
        # Hundreds of runnable answers would stretch every loop turn, and with it every ack;
        # waiting tasks cost the loop nothing.
        async with self._slots:
            await work

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Slack task %s failed", task.get_name(), exc_info=task.exception())

    async def on_text(self, said: SlackText) -> None:
        await self._conversations.on_text(said)

    async def on_command(self, command: SlashCommand) -> None:
        await self._conversations.on_command(command)

    async def on_click(self, click: Click) -> None:
        await self._clicks.on_click(click)

    async def drain(self, timeout_s: float = 10.0) -> int:
        """Wait for background work (and what it starts); returns how many tasks did not finish."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._tasks:
            left = deadline - loop.time()
            if left <= 0:
                return len(self._tasks)
            await asyncio.wait(list(self._tasks), timeout=left)
        return 0

    # --- lifecycle -----------------------------------------------------------------------
    async def start(self) -> None:
        if self.client.session is None:
            # Without a session of its own the Web API client opens a new one, and a new
            # connection (with Slack, a TLS handshake), for every call.
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.client.timeout))
            self.client.session = self._session
        await self.identity()
        self.app.surfaces.register(self.surface)

    async def close(self, *, timeout_s: float = 10.0) -> None:
        left = await self.drain(timeout_s)
        if left:
            log.warning("%d Slack task(s) still running at shutdown; cancelling them", left)
            for task in list(self._tasks):
                task.cancel()
        self.app.surfaces.unregister(self.surface)
        if self._session is not None:
            self.client.session = None
            await self._session.close()
            self._session = None


def build_slack_adapter(
    app: App,
    *,
    settings: SlackSettings,
    secrets: Secrets,
    progress_after_s: float = 2.0,
    groups_ttl_s: float = 300.0,
) -> SlackAdapter:
    if not secrets.slack_bot_token:
        raise SlackConfigError("SLACK_BOT_TOKEN is not set; the Slack adapter needs the bot token (xoxb-…)")
    client = AsyncWebClient(
        token=secrets.slack_bot_token,
        base_url=api_base_url(settings.api_base_url) or AsyncWebClient.BASE_URL,
        timeout=10,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )
    options = AdapterOptions(
        slash_command=settings.slash_command,
        reply=settings.reply,
        progress_after_s=progress_after_s,
        groups_ttl_s=groups_ttl_s,
    )
    return SlackAdapter(app=app, client=client, signing_secret=secrets.slack_signing_secret, options=options)
