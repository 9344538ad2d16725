"""Rate and size limits: per-user messages and model calls per minute, concurrent agent turns.

The counters live in a `LimitStore` (bot/conversation/limit_store.py): Redis shared by every
replica, or this process's memory for a single replica. A limited user gets
one polite sentence saying when to try again; nothing is queued. When Redis
cannot be reached, each limit fails open (lets the request through) or closed
(refuses it with one sentence) as `limits.when_redis_down` says; the outage is
logged once when it starts and once when it ends, and counted per request in
`chatops_limit_store_unavailable`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
from collections.abc import AsyncIterator
from typing import Literal

from bot.conversation.limit_store import LimitStore, LimitStoreDown, MemoryLimitStore
from bot.gate.metrics import Metrics
from bot.settings.config import LimitSettings

log = logging.getLogger(__name__)

STORE_DOWN = (
    "I cannot check your usage limits right now (their shared store is unreachable), "
    "so I am not asking the assistant; please try again in a minute (! commands may still work)."
)
MESSAGES_STORE_DOWN = (
    "I cannot check your usage limits right now (their shared store is unreachable); "
    "please try again in a minute."
)


@dataclasses.dataclass(frozen=True)
class Refusal:
    limit: str
    text: str


class Limits:
    def __init__(
        self,
        settings: LimitSettings,
        store: LimitStore | None = None,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self.settings = settings
        self.store: LimitStore = store if store is not None else MemoryLimitStore()
        self._metrics = metrics
        self._down = False

    async def check_message(self, user_key: str, text: str) -> Refusal | None:
        if len(text) > self.settings.max_message_chars:
            return Refusal(
                "message_size",
                f"That message is {len(text)} characters; the limit is {self.settings.max_message_chars}. "
                "Please shorten it (put long YAML in a file the cluster can read, or split it).",
            )
        try:
            wait = await self.store.hit(
                name="messages", per_minute=self.settings.messages_per_minute, key=user_key
            )
        except LimitStoreDown as e:
            return self._store_down(
                "messages", self.settings.when_redis_down.messages, e, MESSAGES_STORE_DOWN
            )
        self._store_up()
        if wait is not None:
            return Refusal(
                "messages",
                f"You have sent {self.settings.messages_per_minute} messages in the last minute; "
                f"please try again in {max(1, math.ceil(wait))} s.",
            )
        return None

    async def check_llm(self, user_key: str) -> Refusal | None:
        try:
            wait = await self.store.hit(
                name="llm_calls", per_minute=self.settings.llm_calls_per_minute, key=user_key
            )
        except LimitStoreDown as e:
            return self._store_down("llm_calls", self.settings.when_redis_down.model, e, STORE_DOWN)
        self._store_up()
        if wait is None:
            return None
        return Refusal(
            "llm_calls",
            f"You have asked the assistant {self.settings.llm_calls_per_minute} times in the last minute; "
            f"please try again in {max(1, math.ceil(wait))} s (! commands still work).",
        )

    @contextlib.asynccontextmanager
    async def agent_turn(self, wait_s: float = 5.0) -> AsyncIterator[bool]:
        """Yields True when a turn slot (of all replicas') was free within `wait_s`, else False."""
        down: LimitStoreDown | None = None
        try:
            token = await self.store.acquire_turn(
                capacity=self.settings.max_concurrent_agent_turns, wait_s=wait_s
            )
        except LimitStoreDown as e:
            token, down = None, e
        if down is not None:
            yield (
                self._store_down("agent_turns", self.settings.when_redis_down.model, down, STORE_DOWN) is None
            )
            return
        self._store_up()
        if token is None:
            yield False
            return
        try:
            yield True
        finally:
            await self.store.release_turn(token)

    async def close(self) -> None:
        await self.store.close()

    def _store_down(
        self, limit: str, mode: Literal["open", "closed"], error: LimitStoreDown, text: str
    ) -> Refusal | None:
        if not self._down:
            self._down = True
            log.warning(
                "the shared limit store is unreachable (%s); limits fail as configured "
                "(messages: %s, model: %s) until it is back",
                error,
                self.settings.when_redis_down.messages,
                self.settings.when_redis_down.model,
            )
        decision = "allowed" if mode == "open" else "refused"
        if self._metrics is not None:
            self._metrics.limit_store_unavailable.labels(limit, decision).inc()
        return None if mode == "open" else Refusal("limit_store_down", text)

    def _store_up(self) -> None:
        if self._down:
            self._down = False
            log.warning("the shared limit store is reachable again")
