"""Who a Slack user is: display name (`users.info`) and user-group ids (`usergroups.list`), cached.

Groups: one `usergroups.list(include_users=true)` call returns every group of
the workspace with its members; the whole map is cached for `ttl_s` (default
5 minutes) and refreshed by one caller at a time. That is one API call per
TTL instead of one `usergroups.users.list` per group per person. A person's
memberships are `slack:user:U…`, `slack:group:S…` per group and `slack:team:T…`
(what `policy.roles.*.members` and `identities[].match.member` name). A
change of membership therefore takes up to the TTL to count. When Slack
cannot be asked (missing scope, outage) the last known map is used, or no
groups at all: that can only lower a person's role, never raise it.

Names are for display only; policy matches ids. Nothing here decides policy.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.models import Principal

log = logging.getLogger(__name__)

PLATFORM = "slack"
MAX_NAMES = 5000
RETRY_AFTER_FAILURE_S = 30.0


def to_memberships(user_id: str, *, groups: Iterable[str], team_id: str | None) -> tuple[str, ...]:
    """`slack:user:U…`, one `slack:group:S…` per user group, and `slack:team:T…` for the workspace."""
    found = [Principal.member(PLATFORM, "user", user_id)]
    found += [Principal.member(PLATFORM, "group", g) for g in groups]
    if team_id:
        found.append(Principal.member(PLATFORM, "team", team_id))
    return tuple(found)


@dataclasses.dataclass(frozen=True)
class _Groups:
    by_user: Mapping[str, tuple[str, ...]]
    expires_at: float


def _display_name(user: Mapping[str, Any]) -> str | None:
    raw = user.get("profile")
    profile: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    for value in (
        profile.get("display_name"),
        profile.get("real_name"),
        user.get("real_name"),
        user.get("name"),
    ):
        if isinstance(value, str) and value.strip():
            return value.strip()[:80]
    return None


class Directory:
    def __init__(
        self, client: AsyncWebClient, *, ttl_s: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = client
        self._ttl_s = ttl_s
        self._clock = clock
        self._names: dict[str, tuple[str, float]] = {}
        self._groups: _Groups | None = None
        self._lock = asyncio.Lock()
        self._looking_up: dict[str, asyncio.Task[str]] = {}

    async def principal(
        self, *, user_id: str, team_id: str | None, fallback_name: str | None = None
    ) -> Principal:
        name = await self.display_name(user_id, fallback=fallback_name)
        return Principal(
            PLATFORM,
            user_id,
            name,
            memberships=to_memberships(user_id, groups=await self.groups_of(user_id), team_id=team_id),
            team=team_id,
        )

    async def display_name(self, user_id: str, *, fallback: str | None = None) -> str:
        cached = self._names.get(user_id)
        if cached is not None and self._clock() - cached[1] < self._ttl_s:
            return cached[0]
        # One users.info per person at a time: a burst of messages from one user shares it.
        task = self._looking_up.get(user_id)
        if task is None:
            task = asyncio.create_task(self._look_up(user_id, fallback=fallback, cached=cached))
            self._looking_up[user_id] = task
            task.add_done_callback(lambda _: self._looking_up.pop(user_id, None))
        return await asyncio.shield(task)

    async def _look_up(self, user_id: str, *, fallback: str | None, cached: tuple[str, float] | None) -> str:
        name = None
        try:
            response = await self._client.users_info(user=user_id)
            user = response.get("user")
            name = _display_name(user) if isinstance(user, Mapping) else None
        except SlackApiError as e:
            log.warning("users.info for %s failed: %s", user_id, e.response.get("error"))
        except (OSError, TimeoutError) as e:
            log.warning("users.info for %s failed: %s", user_id, type(e).__name__)
        name = name or fallback or (cached[0] if cached else user_id)
        if len(self._names) >= MAX_NAMES:
            self._names.clear()
        self._names[user_id] = (name, self._clock())
        return name

    async def groups_of(self, user_id: str) -> tuple[str, ...]:
        groups = self._groups
        if groups is None or self._clock() >= groups.expires_at:
            groups = await self._refresh()
        return groups.by_user.get(user_id, ())

    async def _refresh(self) -> _Groups:
        async with self._lock:
            current = self._groups
            if current is not None and self._clock() < current.expires_at:
                return current  # another caller refreshed while we waited
            try:
                response = await self._client.usergroups_list(include_users=True)
            except (SlackApiError, OSError, TimeoutError) as e:
                why = e.response.get("error") if isinstance(e, SlackApiError) else type(e).__name__
                log.warning("usergroups.list failed (%s); using the last known groups", why)
                retry_at = self._clock() + min(RETRY_AFTER_FAILURE_S, self._ttl_s)
                self._groups = _Groups(current.by_user if current else {}, retry_at)
                return self._groups
            by_user: dict[str, list[str]] = {}
            for group in response.get("usergroups") or []:
                if not isinstance(group, Mapping) or group.get("date_delete"):
                    continue
                group_id = group.get("id")
                for member in group.get("users") or []:
                    if isinstance(group_id, str) and isinstance(member, str):
                        by_user.setdefault(member, []).append(group_id)
            self._groups = _Groups(
                {u: tuple(sorted(g)) for u, g in by_user.items()}, self._clock() + self._ttl_s
            )
            return self._groups
