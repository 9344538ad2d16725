"""Chat identity → Kubernetes identity (for impersonation), from config.

When a chat user is mapped, every cluster call made for their request carries
impersonation headers, so Kubernetes RBAC stays the final gate. An entry
matches a membership pattern (`bot.domain.memberships`); the first match wins.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.models import Principal
from bot.settings.config import IdentityEntry
from tools.base import KubeIdentity


class IdentityMap:
    def __init__(self, entries: Sequence[IdentityEntry]) -> None:
        self._entries = tuple(entries)

    def kubernetes_identity(self, principal: Principal) -> KubeIdentity | None:
        for entry in self._entries:
            if principal.is_in((entry.match.member,)):
                return KubeIdentity(user=entry.kubernetes.user, groups=tuple(entry.kubernetes.groups))
        return None
