"""The gate's `Notifier`: what the requester hears about a change after their request ended.

Progress lines go to the one progress note (`progress.py`). A notice (a
long-running change finished, the reconciler settled a row, the agent's word
after a change) closes the note, shows the card with the row's state (updated
in place where it is) and posts `text` where the conversation about the change
is: the card's thread, else the channel and thread it was asked in. All of it
on the surface of the requester's platform; with none registered, nothing is
said (the row and the audit trail have it).
"""

from __future__ import annotations

import logging

from bot.conversation.delivery.cards import CardBoard
from bot.conversation.delivery.progress import ProgressBoard
from bot.conversation.delivery.surfaces import SurfaceRegistry
from bot.domain.models import Reply, ReplyKind
from bot.domain.replies import approval_card
from storage.records import ApprovalRecord

log = logging.getLogger(__name__)


class Notices:
    def __init__(self, surfaces: SurfaceRegistry, cards: CardBoard, board: ProgressBoard) -> None:
        self._surfaces = surfaces
        self._cards = cards
        self._board = board

    async def progress(self, record: ApprovalRecord, line: str) -> None:
        await self._board.progress(record, line)

    async def notice(self, record: ApprovalRecord, text: str) -> None:
        surface = self._surfaces.get(record.requester_platform)
        await self._board.close(record)
        if surface is None:
            log.info("no %s surface to tell about approval %s", record.requester_platform, record.id)
            return
        place = await self._cards.place_for(record)
        await self._cards.show(approval_card(record), place=place)
        kind = ReplyKind.RESULT if record.result_status == "ok" else ReplyKind.ERROR
        await surface.post(Reply(text, kind=kind), place=place)
