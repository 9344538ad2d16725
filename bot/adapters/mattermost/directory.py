"""Who a Mattermost user is: display name and memberships, cached, as a core `Principal`.

Memberships are opaque strings made in one place (`memberships`):
`mattermost:user:ID`, `mattermost:role:ROLE` for the user's system roles
(`system_admin`, `system_user`), `mattermost:team_role:ROLE` for their
roles in `mattermost.team` (`team_admin`, `team_user`), and
`mattermost:group:NAME` for the Mattermost user groups they belong to
(LDAP-synced or custom groups; a server without groups answers 403/404/501,
after which they are no longer asked for). One look-up per person per TTL
(5 minutes by default), so a change takes up to the TTL to count. When
Mattermost cannot be asked the last known answer is used, or none: that can
only lower a person's role, never raise it. Nothing here decides policy.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from bot.domain.models import Principal

from .api import MattermostApi, MattermostError
from .surface import PLATFORM

log = logging.getLogger(__name__)

MAX_CACHED = 5000
NO_GROUPS = frozenset({403, 404, 501})


def memberships(
    *, user_id: str, system_roles: Iterable[str], team_roles: Iterable[str], groups: Iterable[str]
) -> tuple[str, ...]:
    """The one place membership strings are made (policy matches them as opaque strings)."""
    found = [f"{PLATFORM}:user:{user_id}"]
    found += sorted({f"{PLATFORM}:role:{r}" for r in system_roles if r})
    found += sorted({f"{PLATFORM}:team_role:{r}" for r in team_roles if r})
    found += sorted({f"{PLATFORM}:group:{g}" for g in groups if g})
    return tuple(found)


def display_name(user: Mapping[str, Any], fallback: str) -> str:
    full = " ".join(str(user.get(k) or "").strip() for k in ("first_name", "last_name")).strip()
    for value in (user.get("nickname"), full, user.get("username")):
        if isinstance(value, str) and value.strip():
            return value.strip()[:80]
    return fallback


@dataclasses.dataclass(frozen=True)
class _Known:
    principal: Principal
    at: float


class Directory:
    def __init__(
        self,
        api: MattermostApi,
        *,
        team: str | None,
        ttl_s: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._team_name = team
        self._team_id: str | None = None
        self._ttl_s = ttl_s
        self._clock = clock
        self._known: dict[str, _Known] = {}
        self._groups_supported = True

    async def principal(self, user_id: str, *, fallback_name: str | None = None) -> Principal:
        known = self._known.get(user_id)
        if known is not None and self._clock() - known.at < self._ttl_s:
            return known.principal
        principal = await self._look_up(user_id, fallback_name=fallback_name, known=known)
        if len(self._known) >= MAX_CACHED:
            self._known.clear()
        self._known[user_id] = _Known(principal, self._clock())
        return principal

    async def _look_up(self, user_id: str, *, fallback_name: str | None, known: _Known | None) -> Principal:
        try:
            user = await self._api.user(user_id)
        except MattermostError as e:
            log.warning("looking up Mattermost user %s failed: %s", user_id, e)
            if known is not None:
                return known.principal
            return Principal(
                PLATFORM,
                user_id,
                fallback_name or user_id,
                memberships=memberships(user_id=user_id, system_roles=(), team_roles=(), groups=()),
            )
        team_id, team_roles = await self._team_roles(user_id)
        groups = await self._group_names(user_id)
        return Principal(
            PLATFORM,
            user_id,
            display_name(user, fallback_name or user_id),
            memberships=memberships(
                user_id=user_id,
                system_roles=str(user.get("roles") or "").split(),
                team_roles=team_roles,
                groups=groups,
            ),
            team=team_id,
        )

    async def _team_roles(self, user_id: str) -> tuple[str | None, tuple[str, ...]]:
        if not self._team_name:
            return None, ()
        try:
            if self._team_id is None:
                self._team_id = str((await self._api.team_by_name(self._team_name))["id"])
            member = await self._api.team_member(self._team_id, user_id)
        except (MattermostError, KeyError) as e:
            log.info("team roles of %s in %s unknown: %s", user_id, self._team_name, e)
            return self._team_id, ()
        return self._team_id, tuple(str(member.get("roles") or "").split())

    async def _group_names(self, user_id: str) -> tuple[str, ...]:
        if not self._groups_supported:
            return ()
        try:
            groups = await self._api.user_groups(user_id)
        except MattermostError as e:
            if e.status in NO_GROUPS:
                self._groups_supported = False  # Team Edition, or no permission: stop asking
            log.info("groups of %s unknown: %s", user_id, e)
            return ()
        return tuple(str(g.get("name") or g.get("id")) for g in groups if g.get("name") or g.get("id"))
