"""Chat identity → Kubernetes identity (for impersonation), from config.

When a chat user is mapped, every cluster call made for their request carries
impersonation headers, so Kubernetes RBAC stays the final gate.
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
            match = entry.match
            hit = (
                (principal.platform == "slack" and principal.user_id == match.slack_user)
                or (principal.platform == "slack" and match.slack_group in principal.groups)
                or (principal.platform == "discord" and principal.user_id == match.discord_user)
                or (principal.platform == "discord" and match.discord_role in principal.groups)
                or (principal.platform == "console" and principal.user_id == match.console_user)
            )
            if hit:
                return KubeIdentity(user=entry.kubernetes.user, groups=tuple(entry.kubernetes.groups))
        return None
