"""The one sweep: expire due approvals, mark abandoned executions, forget old event ids.

Every replica runs the loop, but only the one holding the leadership lock
(`storage.leadership`: a PostgreSQL advisory lock; SQLite's single process
always leads) does the work and redraws the settled rows' cards on every
registered chat surface through the core's card index (`app.cards`), so each
expiry is posted once and the work is not repeated. If the leader dies, the
lock goes with its connection and another replica takes over at its next
round. This module decides nothing about approvals: it calls the desk and the
store.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
from typing import Protocol

from bot.app import App

log = logging.getLogger(__name__)


class Leader(Protocol):
    """storage.leadership.Leadership (PostgreSQL) or tools.kubernetes.lease.LeaseElection."""

    async def is_leader(self) -> bool: ...

    async def release(self) -> None: ...


@dataclasses.dataclass(frozen=True)
class SweepReport:
    leader: bool
    expired: int = 0
    abandoned: int = 0
    events_pruned: int = 0


@dataclasses.dataclass
class Sweeper:
    app: App
    event_retention: dt.timedelta = dt.timedelta(hours=24)
    leader: Leader | None = None  # default: the database's advisory lock

    async def sweep_once(self) -> SweepReport:
        leader = self.leader if self.leader is not None else self.app.store.leadership
        if not await leader.is_leader():
            return SweepReport(leader=False)
        expired = await self.app.desk.expire_due()
        await self.app.cards.refresh(expired)
        abandoned = await self.app.desk.reconcile()
        for row in abandoned:
            log.warning("approval %s outlived its execution lease; outcome unknown", row.id)
        await self.app.cards.refresh(abandoned)
        cutoff = dt.datetime.now(dt.UTC) - self.event_retention
        pruned = await self.app.store.prune_events(cutoff)
        return SweepReport(leader=True, expired=len(expired), abandoned=len(abandoned), events_pruned=pruned)

    async def run_forever(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                await self.sweep_once()
            except Exception:  # keep sweeping: one bad round (a database blip) must not stop expiry
                log.exception("the leader's sweep failed")
