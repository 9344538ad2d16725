"""Small builders shared by the core tests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from bot.domain.models import IncomingMessage, Principal
from storage.records import ApprovalState
from storage.store import Store


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
    *, admins: Sequence[str] = (), operators: Sequence[str] = (), viewers: Sequence[str] = ()
) -> dict[str, object]:
    return {
        "roles": {
            "admin": {"members": [f"slack:user:{u}" for u in admins]},
            "operator": {"members": [f"slack:user:{u}" for u in operators]},
            "viewer": {"members": [f"slack:user:{u}" for u in viewers]},
        }
    }


async def state_of(store: Store, approval_id: str | None) -> ApprovalState | None:
    """The approval's state now (None: there is no such row)."""
    assert approval_id is not None
    row = await store.get_approval(approval_id)
    return None if row is None else row.state


async def until(condition: Callable[[], bool], *, timeout_s: float = 30.0) -> None:
    """Wait, one turn of the event loop at a time, until `condition()` holds (state with no event of its own)."""

    async def turns() -> None:
        while not condition():
            await asyncio.sleep(0)

    await asyncio.wait_for(turns(), timeout=timeout_s)
