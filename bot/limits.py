"""Rate and size limits: per-user messages and model calls per minute, concurrent agent turns.

In-process sliding windows (each replica counts its own traffic). A limited
user gets one polite sentence saying when to try again; nothing is queued.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import dataclasses
import math
import time
from collections.abc import AsyncIterator, Callable

from bot.config import LimitSettings

WINDOW_S = 60.0


@dataclasses.dataclass(frozen=True)
class Refusal:
    limit: str
    text: str


class SlidingWindow:
    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self._per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, collections.deque[float]] = collections.defaultdict(collections.deque)

    def try_hit(self, key: str) -> float | None:
        """Count a hit; None if allowed, else the seconds until the next one is."""
        now = self._clock()
        hits = self._hits[key]
        while hits and hits[0] <= now - WINDOW_S:
            hits.popleft()
        if len(hits) >= self._per_minute:
            return max(0.0, hits[0] + WINDOW_S - now)
        hits.append(now)
        return None


class Limits:
    def __init__(self, settings: LimitSettings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._messages = SlidingWindow(settings.messages_per_minute, clock)
        self._llm = SlidingWindow(settings.llm_calls_per_minute, clock)
        self._turns = asyncio.Semaphore(settings.max_concurrent_agent_turns)

    def check_message(self, user_key: str, text: str) -> Refusal | None:
        if len(text) > self.settings.max_message_chars:
            return Refusal(
                "message_size",
                f"That message is {len(text)} characters; the limit is {self.settings.max_message_chars}. "
                "Please shorten it (put long YAML in a file the cluster can read, or split it).",
            )
        wait = self._messages.try_hit(user_key)
        if wait is not None:
            return Refusal(
                "messages",
                f"You have sent {self.settings.messages_per_minute} messages in the last minute; "
                f"please try again in {math.ceil(wait)} s.",
            )
        return None

    def check_llm(self, user_key: str) -> Refusal | None:
        wait = self._llm.try_hit(user_key)
        if wait is None:
            return None
        return Refusal(
            "llm_calls",
            f"You have asked the assistant {self.settings.llm_calls_per_minute} times in the last minute; "
            f"please try again in {math.ceil(wait)} s (! commands still work).",
        )

    @contextlib.asynccontextmanager
    async def agent_turn(self, wait_s: float = 5.0) -> AsyncIterator[bool]:
        """Yields True when a turn slot was free within `wait_s`, else False."""
        try:
            await asyncio.wait_for(self._turns.acquire(), timeout=wait_s)
        except TimeoutError:
            yield False
            return
        try:
            yield True
        finally:
            self._turns.release()
