"""The person at the keyboard as the core's `Principal`: `console:user:<name>`.

The console has no groups; policy names console people as `console:user:<name>`
(or `console:user:*` for whoever runs the bot).
"""

from __future__ import annotations

from bot.domain.models import Principal

PLATFORM = "console"


def to_principal(user: str) -> Principal:
    own = (Principal.member(PLATFORM, "user", user),) if user else ()
    return Principal(PLATFORM, user, user, memberships=own)
