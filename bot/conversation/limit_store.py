"""Where limit counters live: in this process, or in Redis shared by every replica.

Both stores count with the `limits` library's moving window (exact: the hits of
the last 60 s, whoever counted them), so one user's budget is the same whether
one replica or three answer them, and survives a restart when it is in Redis.
The agent-turn slots in Redis are a sorted set of leases (a crashed replica's
slots come back when their lease ends). A store that cannot be reached raises
`LimitStoreDown`; what that means for a request is decided in `bot.conversation.limits`,
not here. `limits` and `coredis` are imported in this module only.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from typing import Any, Protocol

import coredis
import coredis.exceptions
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError

REDIS_TIMEOUT_S = 1.0
KEY_PREFIX = "chatops"
TURN_LEASE_S = 900
TURN_POLL_S = 0.05

_ACQUIRE_TURN = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('EXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0
"""


class LimitStoreDown(Exception):
    """The shared counters cannot be reached (the message never holds a password)."""


class LimitStore(Protocol):
    shared: bool

    async def hit(self, *, name: str, per_minute: int, key: str) -> float | None:
        """Count one hit; None when allowed, else the seconds until the next one would be."""
        ...

    async def acquire_turn(self, *, capacity: int, wait_s: float) -> str | None:
        """A token for one of `capacity` agent-turn slots, or None when none freed within `wait_s`."""
        ...

    async def release_turn(self, token: str) -> None: ...

    async def close(self) -> None: ...


class _Counters:
    def __init__(self, storage: Storage) -> None:
        self._limiter = MovingWindowRateLimiter(storage)
        self._items: dict[tuple[str, int], RateLimitItem] = {}

    async def hit(self, *, name: str, per_minute: int, key: str) -> float | None:
        item = self._items.setdefault((name, per_minute), RateLimitItemPerMinute(per_minute, namespace=name))
        if await self._limiter.hit(item, key):
            return None
        stats = await self._limiter.get_window_stats(item, key)
        return max(0.0, stats.reset_time - time.time())


class MemoryLimitStore:
    """One process's counters (a single replica); lost on restart."""

    shared = False

    def __init__(self) -> None:
        self._counters = _Counters(MemoryStorage())
        self._turns: asyncio.Semaphore | None = None
        self._capacity = 0

    async def hit(self, *, name: str, per_minute: int, key: str) -> float | None:
        return await self._counters.hit(name=name, per_minute=per_minute, key=key)

    async def acquire_turn(self, *, capacity: int, wait_s: float) -> str | None:
        if self._turns is None or self._capacity != capacity:
            self._turns, self._capacity = asyncio.Semaphore(capacity), capacity
        try:
            await asyncio.wait_for(self._turns.acquire(), timeout=wait_s)
        except TimeoutError:
            return None
        return uuid.uuid4().hex

    async def release_turn(self, token: str) -> None:
        if self._turns is not None:
            self._turns.release()

    async def close(self) -> None:
        return None


class RedisLimitStore:
    """Counters every replica shares, in Redis (`redis://host:6379/0`, `rediss://…` for TLS)."""

    shared = True

    def __init__(self, url: str, *, key_prefix: str = KEY_PREFIX) -> None:
        plain = url.removeprefix("async+")
        if not plain.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("the Redis URL must start with redis://, rediss:// or unix://")
        options: dict[str, Any] = {"connect_timeout": REDIS_TIMEOUT_S, "stream_timeout": REDIS_TIMEOUT_S}
        self._storage = RedisStorage(
            "async+" + plain.replace("unix://", "redis+unix://", 1),
            wrap_exceptions=True,
            key_prefix=key_prefix,
            **options,
        )
        self._counters = _Counters(self._storage)
        self._redis: coredis.Redis[str] = coredis.Redis.from_url(plain, decode_responses=True, **options)
        self._acquire = self._redis.register_script(_ACQUIRE_TURN)
        self._turns_key = f"{key_prefix}:agent-turns"

    async def hit(self, *, name: str, per_minute: int, key: str) -> float | None:
        try:
            return await self._counters.hit(name=name, per_minute=per_minute, key=key)
        except (StorageError, coredis.exceptions.RedisError, OSError, TimeoutError) as e:
            raise LimitStoreDown(f"Redis is unreachable ({type(e).__name__})") from e

    async def acquire_turn(self, *, capacity: int, wait_s: float) -> str | None:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait_s
        while True:
            now = time.time()
            try:
                won = await self._acquire(
                    keys=[self._turns_key],
                    args=[now, now + TURN_LEASE_S, capacity, token, TURN_LEASE_S],
                )
            except (coredis.exceptions.RedisError, OSError, TimeoutError) as e:
                raise LimitStoreDown(f"Redis is unreachable ({type(e).__name__})") from e
            if won == 1:
                return token
            if time.monotonic() >= deadline:
                return None
            await asyncio.sleep(TURN_POLL_S)  # another replica's turn ends without telling us

    async def release_turn(self, token: str) -> None:
        # A slot we cannot hand back now comes back when its lease ends.
        with contextlib.suppress(coredis.exceptions.RedisError, OSError, TimeoutError):
            await self._redis.zrem(self._turns_key, [token])

    async def close(self) -> None:
        for client in (self._redis, getattr(self._storage.bridge, "storage", None)):
            pool = getattr(client, "connection_pool", None)
            if pool is not None:
                pool.disconnect()


def open_limit_store(redis_url: str | None) -> LimitStore:
    return RedisLimitStore(redis_url) if redis_url else MemoryLimitStore()
