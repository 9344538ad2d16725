"""Changes that finished in the background, told to whoever follows them up (the agent).

A long-running approved change (minikube start…) outlives the request that
approved it. When it has finished and its notice is out, the executor tells
`Completions`; the followers subscribed once in the composition root
(`bot/app.py`), after the agent was built (the agent itself goes through the
executor, so it cannot be handed to it). A follower that fails is logged and
never breaks the run's own bookkeeping. Nothing here runs or decides anything.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from storage.records import ApprovalRecord

log = logging.getLogger(__name__)

Follower = Callable[[ApprovalRecord], Awaitable[None]]


class Completions:
    def __init__(self) -> None:
        self._followers: list[Follower] = []

    def follow(self, follower: Follower) -> None:
        self._followers.append(follower)

    async def finished(self, record: ApprovalRecord) -> None:
        for follower in self._followers:
            try:
                await follower(record)
            except Exception:  # a follow-up must never break the run's own bookkeeping
                log.exception("a follow-up of the finished change %s failed", record.id)
