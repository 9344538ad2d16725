"""The bot reading on its own behalf: a principal no person holds, for reads nobody typed.

An alert's findings (`bot.alerts.findings`) are read before anyone is in the
conversation; they still go through the executor like any request, so policy,
redaction and the audit trail apply. The principal's platform, `system`, is
no chat adapter's, and `Policy.role_of` pins its role to viewer whatever the
config's role members say (a `*` glob included): it may ask for reads, and a
change it asked for would be refused, never filed. Operators can still narrow
it: channel modes and rules see it at `system:<channel>`, and an identity
entry matching `system:user:<name>` maps it to a Kubernetes identity of its own.
"""

from __future__ import annotations

import uuid

from bot.domain.models import Principal
from bot.domain.outcomes import RequestContext

SYSTEM_PLATFORM = "system"


def system_principal(name: str) -> Principal:
    """The bot acting as `name` (e.g. `alerts`): membership `system:user:<name>`."""
    return Principal(SYSTEM_PLATFORM, name, f"chatops {name}")


def is_system(principal: Principal) -> bool:
    return principal.platform == SYSTEM_PLATFORM


def system_context(name: str, *, channel: str) -> RequestContext:
    """A request of the bot's own, with a fresh request id (its audit facts are committed at once)."""
    return RequestContext(
        system_principal(name), channel, None, "sys-" + uuid.uuid4().hex[:12], origin="system"
    )
