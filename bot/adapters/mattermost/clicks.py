"""Approve / Deny / Undo clicks: verified, decided by the router, the card updated in place.

The adapter checks only what Mattermost alone can tell: the button's context
carries this bot's signature (`signing.py`). Whether this person may decide
is the router's and the policy's call (`router.handle_button`). A refusal,
an "already decided" or a "needs one more approver" goes privately to the
clicker: in the action's answer (`ephemeral_text`) when the decision is
ready in time, else as an ephemeral post. Only a card whose state changed is
redrawn (`PUT /api/v4/posts/{id}`), from the approval's state at that
moment and one redraw per card at a time, never again for the same state; the
outcome of a run is posted in the card's thread. The card's place comes
from the card index (kept across restarts), else from the click itself.
An alert card's buttons (signed alike) go to the router as well; their card
is not in the index, and their answers go to its thread.
"""

from __future__ import annotations

import asyncio
import logging

from bot.conversation.router import Router
from bot.domain.models import Reply, ReplyKind
from bot.domain.outcomes import Outcome
from bot.domain.ports import Place
from bot.domain.replies import approval_card, is_refusal
from bot.gate.approvals import ApprovalDesk

from .api import MattermostApi, MattermostError
from .cards import CardIndex, CardRef, show_card
from .conversations import is_card
from .directory import Directory
from .payloads import Click
from .render import plain_message
from .signing import SignedAction
from .surface import PLATFORM, MattermostSurface

log = logging.getLogger(__name__)

MAX_REMEMBERED = 5000
FAILED = (
    "Something went wrong on my side with that click (see the bot's logs); check !approvals before retrying."
)


class PrivateAnswer:
    """What the clicker alone reads: held for the action's HTTP answer until it is sent, posted after."""

    def __init__(self, surface: MattermostSurface, click: Click) -> None:
        self._surface = surface
        self._click = click
        self.place = Place(PLATFORM, click.channel_id)
        self.held: list[str] = []
        self.sent = False

    async def tell(self, reply: Reply) -> None:
        if not self.sent:
            self.held.append(plain_message(reply))
            return
        await self._surface.tell(reply, user_id=self._click.user_id, place=self.place)

    def take(self) -> str | None:
        """The notes so far, for the HTTP answer; later ones are posted as ephemeral posts."""
        self.sent = True
        notes, self.held = self.held, []
        return "\n\n".join(notes) or None


class Clicks:
    def __init__(
        self,
        *,
        router: Router,
        approvals: ApprovalDesk,
        api: MattermostApi,
        directory: Directory,
        surface: MattermostSurface,
        cards: CardIndex,
    ) -> None:
        self._router = router
        self._approvals = approvals
        self._api = api
        self._directory = directory
        self._surface = surface
        self._cards = cards
        self._drawn: dict[str, str] = {}  # approval id → the card as this bot last drew it
        self._locks: dict[str, asyncio.Lock] = {}

    async def on_click(self, click: Click, signed: SignedAction, answer: PrivateAnswer) -> None:
        if signed.action.is_alert_action:
            await self._on_alert_click(click, signed, answer)
            return
        ref = await self._card_ref(click, signed.approval_id)
        answer.place = Place(PLATFORM, ref.channel_id, ref.root_id)
        decided_click = await self._decide(click, signed, answer, ref)
        if decided_click is None:
            return
        outcome, replies = decided_click
        private = is_refusal(signed.action, outcome, signed.approval_id)
        decided = outcome.approval
        if not private and decided is not None and not any(r.approval_id == decided.id for r in replies):
            replies = [*replies, approval_card(decided)]  # a denial comes back without its card
        thread = Place(PLATFORM, ref.channel_id, ref.thread)
        for reply in replies:
            if is_card(reply) and reply.approval_id == signed.approval_id:
                await self._redraw(signed.approval_id, place=thread)
            elif is_card(reply):  # a new card (an undo files its own approval)
                await show_card(self._surface, self._cards, reply, place=thread)
            elif private or reply.ephemeral:
                await answer.tell(reply)
            else:
                await self._surface.post(reply, place=thread)

    async def _decide(
        self, click: Click, signed: SignedAction, answer: PrivateAnswer, ref: CardRef
    ) -> tuple[Outcome, list[Reply]] | None:
        """The core's answer to a click, as the clicker; None (and the clicker told) if it broke."""
        principal = await self._directory.principal(click.user_id, fallback_name=click.user_name)
        try:
            return await self._router.handle_button(
                principal=principal,
                action=signed.action,
                approval_id=signed.approval_id,
                channel=ref.channel_id,
                thread=ref.thread,
            )
        except Exception:  # the boundary: report, keep serving
            log.exception("click %s on %s failed", signed.action.value, signed.approval_id)
            await answer.tell(Reply(FAILED, kind=ReplyKind.ERROR))
            return None

    async def _on_alert_click(self, click: Click, signed: SignedAction, answer: PrivateAnswer) -> None:
        """An alert card's button: the card is the alerts' (their leader redraws it), so the card index
        is left alone; answers go to the card's thread, privately when they say so."""
        ref = CardRef(click.post_id, click.channel_id, await self._root_of(click.post_id))
        answer.place = Place(PLATFORM, ref.channel_id, ref.root_id)
        decided_click = await self._decide(click, signed, answer, ref)
        if decided_click is None:
            return
        _, replies = decided_click
        thread = Place(PLATFORM, ref.channel_id, ref.thread)
        for reply in replies:
            if is_card(reply):  # a Silence's approval
                await show_card(self._surface, self._cards, reply, place=thread)
            elif reply.ephemeral:
                await answer.tell(reply)
            else:
                await self._surface.post(reply, place=thread)

    async def _root_of(self, post_id: str) -> str | None:
        try:  # the card may sit in a thread; replies must go to the thread's root
            return str((await self._api.get_post(post_id)).get("root_id") or "") or None
        except MattermostError as e:
            log.info("post %s unknown (%s); answering under it", post_id, e)
            return None

    async def _card_ref(self, click: Click, approval_id: str) -> CardRef:
        """Where the card is: the index knows (also after a restart); else the clicked post, remembered."""
        ref = await self._cards.lookup(approval_id)
        if ref is not None and ref.post_id == click.post_id:
            return ref
        ref = CardRef(click.post_id, click.channel_id, await self._root_of(click.post_id))
        if await self._cards.lookup(approval_id) is None:
            await self._cards.remember(approval_id, ref)
        return ref

    async def _redraw(self, approval_id: str, *, place: Place) -> None:
        """Draw the card as the approval is now, one redraw per card at a time: a click decided
        earlier can never put back an older state over a newer one."""
        if len(self._locks) > MAX_REMEMBERED:
            self._locks = {k: v for k, v in self._locks.items() if v.locked()}
        async with self._locks.setdefault(approval_id, asyncio.Lock()):
            record = await self._approvals.get(approval_id)
            if record is not None and self._is_news(card := approval_card(record)):
                await show_card(self._surface, self._cards, card, place=place)

    def _is_news(self, card: Reply) -> bool:
        """Whether a card differs from what this bot last drew: a burst of duplicate clicks is not a
        burst of updates."""
        key = card.approval_id or ""
        drawn = repr((card.text, card.fields, card.buttons))
        if self._drawn.get(key) == drawn:
            return False
        if len(self._drawn) > MAX_REMEMBERED:
            self._drawn.clear()
        self._drawn[key] = drawn
        return True
