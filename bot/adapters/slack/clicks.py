"""Approve / Deny / Undo clicks: checked, passed to the router, the card updated in place.

An alert card's buttons go to the router too; their answers go to the card's thread.

The adapter checks only what Slack alone can tell: the click comes from the
workspace the card was posted in (a shared channel can bring people from
another one). Whether this person may decide is the router's and the
policy's call (`router.handle_button`). A refusal, an "already decided" or a
"needs one more approver" goes privately to the clicker (`chat.postEphemeral`);
only the last redraws the card (its approver count changed); a decision updates the card (`chat.update`) and posts
the outcome in the card's thread. Completed changes keep an Undo button that
files the inverse operation as a new approval.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.conversation.delivery import CardBoard
from bot.conversation.router import Router
from bot.domain.models import Reply, ReplyKind
from bot.domain.outcomes import Outcome
from bot.domain.replies import approval_card, is_refusal

from .cards import CardRef
from .directory import PLATFORM, Directory
from .payloads import Click
from .poster import Poster, is_card

log = logging.getLogger(__name__)
MAX_REMEMBERED = 5000

OTHER_WORKSPACE = (
    "This approval belongs to another Slack workspace, so only people of that workspace can decide it. "
    "Ask someone there, or request the change in your own workspace."
)
OTHER_WORKSPACE_ALERT = "This alert card belongs to another Slack workspace, so only people of that workspace can use its buttons."
FAILED = (
    "Something went wrong on my side with that click (see the bot's logs); check !approvals before retrying."
)


class Clicks:
    def __init__(
        self,
        *,
        router: Router,
        directory: Directory,
        poster: Poster,
        cards: CardBoard,
        team_id: Callable[[], Awaitable[str | None]],
    ) -> None:
        self._router = router
        self._directory = directory
        self._poster = poster
        self._cards = cards
        self._team_id = team_id
        self._drawn: dict[str, str] = {}  # approval id → the card as this bot last drew it

    async def on_click(self, click: Click) -> None:
        if click.action.is_alert_action:
            await self._on_alert_click(click)
            return
        known = await self._cards.lookup(click.approval_id, PLATFORM)
        ref = CardRef.from_posted(known.ref) if known is not None else None
        home = ref.team if ref is not None and ref.team else await self._team_id()
        if home is None or click.team_id != home:
            log.info(
                "click on %s from workspace %s refused (card's: %s)", click.approval_id, click.team_id, home
            )
            await self._tell(click, OTHER_WORKSPACE)
            return
        if ref is None:  # not in the index: the click says where the card is
            card = CardRef(click.channel, click.message_ts, home, click.thread_ts)
            await self._cards.remember(click.approval_id, card.to_posted(), place=card.place)
        decided_click = await self._decide(click)
        if decided_click is None:
            return
        outcome, replies = decided_click
        private = is_refusal(click.action, outcome, click.approval_id)
        decided = outcome.approval
        if not private and decided is not None and not any(r.approval_id == decided.id for r in replies):
            replies = [*replies, approval_card(decided)]  # a denial comes back without its card
        for reply in replies:
            if is_card(reply):
                if self._is_news(reply, private=private):
                    await self._poster.show_card(reply, channel=click.channel, thread=click.thread)
            elif private:
                await self._poster.post_ephemeral(
                    reply,
                    channel=click.channel,
                    user=click.user_id,
                    thread=click.thread_ts,
                    response_url=click.response_url,
                )
            else:
                await self._poster.post(reply, channel=click.channel, thread=click.thread)

    async def _decide(self, click: Click) -> tuple[Outcome, list[Reply]] | None:
        """The core's answer to a click, as the clicker; None (and the clicker told) if it broke."""
        principal = await self._directory.principal(
            user_id=click.user_id, team_id=click.team_id, fallback_name=click.user_name
        )
        try:
            return await self._router.handle_button(
                principal=principal,
                action=click.action,
                approval_id=click.approval_id,
                channel=click.channel,
                thread=click.thread,
            )
        except Exception:  # the boundary: report, keep serving
            log.exception("click %s on %s failed", click.action.value, click.approval_id)
            await self._tell(click, FAILED)
            return None

    async def _on_alert_click(self, click: Click) -> None:
        """An alert card's button: the card is the alerts' (redrawn by their leader), not the index's;
        the answer goes to the card's thread, privately when it says so; a Silence's approval is a new card."""
        home = await self._team_id()
        if home is None or click.team_id != home:
            await self._tell(click, OTHER_WORKSPACE_ALERT)
            return
        decided_click = await self._decide(click)
        if decided_click is None:
            return
        _, replies = decided_click
        for reply in replies:
            if is_card(reply):
                await self._poster.show_card(reply, channel=click.channel, thread=click.thread)
            elif reply.ephemeral:
                await self._poster.post_ephemeral(
                    reply,
                    channel=click.channel,
                    user=click.user_id,
                    thread=click.thread_ts,
                    response_url=click.response_url,
                )
            else:
                await self._poster.post(reply, channel=click.channel, thread=click.thread)

    def _is_news(self, card: Reply, *, private: bool) -> bool:
        """Whether a card should be redrawn: a private answer (a duplicate or late click) redraws
        it only when it differs from what this bot last drew (the click found the row expired, or
        one more approver), never again for the same state: each chat.update is rate-limited by
        Slack, and a thousand duplicate clicks must not become a thousand redraws."""
        key = card.approval_id or ""
        drawn = repr((card.text, card.fields, card.buttons))
        if private and self._drawn.get(key) == drawn:
            return False
        if len(self._drawn) > MAX_REMEMBERED:
            self._drawn.clear()
        self._drawn[key] = drawn
        return True

    async def _tell(self, click: Click, text: str) -> None:
        await self._poster.post_ephemeral(
            Reply(text, kind=ReplyKind.DENIED),
            channel=click.channel,
            user=click.user_id,
            thread=click.thread_ts,
            response_url=click.response_url,
        )
