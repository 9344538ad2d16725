"""Small builders shared by the core tests."""

from __future__ import annotations

from bot.domain.models import IncomingMessage, Principal


def msg(
    text: str,
    user: str = "alice",
    *,
    platform: str = "console",
    channel: str = "ops",
    memberships: tuple[str, ...] = (),
    event_id: str | None = None,
) -> IncomingMessage:
    return IncomingMessage(
        Principal(platform, user, user.title(), memberships), channel, text, event_id=event_id
    )


def slack_roles(
    *, admins: list[str] = (), operators: list[str] = (), viewers: list[str] = ()
) -> dict[str, object]:
    return {
        "roles": {
            "admin": {"members": [f"slack:user:{u}" for u in admins]},
            "operator": {"members": [f"slack:user:{u}" for u in operators]},
            "viewer": {"members": [f"slack:user:{u}" for u in viewers]},
        }
    }
