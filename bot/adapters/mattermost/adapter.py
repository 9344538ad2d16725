"""The Mattermost adapter: the REST client, the event stream, the endpoints and the hand-over to the core.

`MattermostAdapter` is what `chatops run` starts (it is a service adapter:
`add_routes`, `start`, `stop`, `is_ready`, `announce`). `start()` learns
who the bot is (`GET /api/v4/users/me`, retried in the background until it
answers) and opens the WebSocket; every answer, card and note goes through
`MattermostSurface`. Work runs in tracked tasks (at most
`max_concurrent_work` at once), so acknowledgements stay fast and `stop()`
can let in-flight work finish. The adapter owns no policy, no approvals and
no audit rows; everything it is told goes to `app.router`. It does not hook
the executor: progress notes, follow-up notices and the expiry sweep are
the core's.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Coroutine, Mapping
from typing import Any

from aiohttp import web

from bot.app import App

from .api import MattermostApi, MattermostError
from .cards import CardIndex
from .clicks import Clicks, PrivateAnswer
from .conversations import Conversations
from .directory import Directory
from .events import EventStream
from .http import ACTIONS_PATH, add_mattermost_routes
from .payloads import Click, SlashCommand, to_posted
from .render import Buttons
from .signing import SignedAction
from .surface import PLATFORM, MattermostSurface

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class AdapterOptions:
    url: str  # the Mattermost server
    public_url: str  # where Mattermost reaches this bot
    team: str | None = None
    slash_command: str = "/k8s"
    ack_within_s: float = 2.0  # how long a click's answer waits for the decision
    max_concurrent_work: int = 8
    min_backoff_s: float = 1.0  # WebSocket reconnects
    max_backoff_s: float = 60.0
    identity_retry_s: float = 10.0
    groups_ttl_s: float = 300.0


@dataclasses.dataclass(frozen=True)
class BotUser:
    user_id: str
    username: str


class MattermostAdapter:
    name = PLATFORM

    def __init__(
        self,
        app: App,
        *,
        token: str,
        action_secret: str,
        slash_token: str | None,
        options: AdapterOptions,
        cards: CardIndex | None = None,
    ) -> None:
        self.app = app
        self.options = options
        self.slash_token = slash_token
        self.action_secret = action_secret
        self.slash_command = options.slash_command
        self.ack_within_s = options.ack_within_s
        self.api = MattermostApi(base_url=options.url, token=token)
        self.surface = MattermostSurface(
            self.api, buttons=Buttons(callback_url=options.public_url + ACTIONS_PATH, secret=action_secret)
        )
        self.cards: CardIndex = cards if cards is not None else CardIndex(app.cards)
        self.directory = Directory(self.api, team=options.team, ttl_s=options.groups_ttl_s)
        self._conversations = Conversations(
            router=app.router,
            api=self.api,
            directory=self.directory,
            surface=self.surface,
            cards=self.cards,
            bot_username=self._bot_username,
        )
        self._clicks = Clicks(
            router=app.router,
            approvals=app.desk,
            api=self.api,
            directory=self.directory,
            surface=self.surface,
            cards=self.cards,
        )
        self.stream = EventStream(
            url=self.api.websocket_url,
            token=token,
            session=lambda: self.api.session,
            on_event=self.on_event,
            min_backoff_s=options.min_backoff_s,
            max_backoff_s=options.max_backoff_s,
        )
        self.bot: BotUser | None = None
        self._identity_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots = asyncio.Semaphore(options.max_concurrent_work)
        self._background: list[asyncio.Task[None]] = []

    # --- who the bot is -------------------------------------------------------------------------
    async def identity(self) -> BotUser | None:
        """`GET /users/me`, once; a failure is retried on the next call rather than cached."""
        async with self._identity_lock:
            if self.bot is None:
                try:
                    me = await self.api.me()
                except MattermostError as e:
                    log.warning(
                        "Mattermost did not say who the bot is (%s); its posts are not answered yet", e
                    )
                    return None
                self.bot = BotUser(str(me.get("id") or ""), str(me.get("username") or ""))
            return self.bot

    async def _bot_username(self) -> str | None:
        bot = await self.identity()
        return bot.username if bot else None

    # --- work -------------------------------------------------------------------------------------
    def spawn(self, work: Coroutine[Any, Any, None], *, name: str) -> asyncio.Task[None]:
        task = asyncio.create_task(self._in_slot(work), name=name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    async def _in_slot(self, work: Coroutine[Any, Any, None]) -> None:
        async with self._slots:
            await work

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("Mattermost task %s failed", task.get_name(), exc_info=task.exception())

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

    def on_event(self, event: Mapping[str, Any]) -> None:
        bot = self.bot
        said = to_posted(
            event, bot_user_id=bot.user_id if bot else None, bot_username=bot.username if bot else None
        )
        if said is not None:
            self.spawn(self._conversations.on_posted(said), name=f"mattermost-post-{said.post_id}")

    async def on_command(self, command: SlashCommand) -> None:
        await self._conversations.on_command(command)

    async def on_click(self, click: Click, signed: SignedAction, answer: PrivateAnswer) -> None:
        await self._clicks.on_click(click, signed, answer)

    # --- the service's side ------------------------------------------------------------------------
    def add_routes(self, web_app: web.Application) -> None:
        add_mattermost_routes(web_app, self)

    async def start(self) -> None:
        self.app.surfaces.register(self.surface)  # the core's cards, progress notes and notices
        if await self.identity() is None:
            self._background.append(asyncio.create_task(self._retry_identity(), name="mattermost-users-me"))
        self._background.append(asyncio.create_task(self.stream.run_forever(), name="mattermost-websocket"))

    async def _retry_identity(self) -> None:
        while True:
            if await self.identity() is not None:
                return
            await asyncio.sleep(self.options.identity_retry_s)

    def is_ready(self) -> bool:
        return self.bot is not None and self.stream.connected.is_set()

    async def stop(self, *, timeout_s: float = 10.0) -> None:
        self.app.surfaces.unregister(self.surface)
        for task in self._background:
            task.cancel()
        for task in self._background:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._background.clear()
        left = await self.drain(timeout_s)
        if left:
            log.warning("%d Mattermost task(s) still running at shutdown; cancelling them", left)
            for task in list(self._tasks):
                task.cancel()
        await self.api.close()
