"""What each lease renewal does once the app has started: settle what dead processes left.

A bot process that died mid-change leaves rows only the reconciler settles
(`ApprovalDesk.reconcile`: executing → outcome unknown, approved → not run).
While this process runs, every renewal of its lease settles what another
process left and tells each requester through the `Notifier`, on their own
platform. Before `activate()` (the app's start) a renewal does nothing.
"""

from __future__ import annotations

from bot.gate.approval_states import explain_state
from bot.gate.approvals import ApprovalDesk
from bot.gate.ports import Notifier


class Settling:
    def __init__(self, desk: ApprovalDesk, notifier: Notifier) -> None:
        self._desk = desk
        self._notifier = notifier
        self._active = False

    def activate(self) -> None:
        self._active = True

    async def __call__(self) -> None:
        if not self._active:
            return
        for row in await self._desk.reconcile():
            await self._notifier.notice(row, explain_state(row))
