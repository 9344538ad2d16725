"""Cards on chat surfaces: one per (place, subject), posted once, then updated in place.

`show()` brings every place's card for one subject (an alert, a cluster
event) up to date: a card already posted is replaced through
`ChatSurface.update` with its stored `PostedRef` when what it says (count,
state) changed; a new card passes flood control, is claimed in storage (so
two posters never both post it) and posted, and where it landed is saved. A
subject that flood control holds back is counted in the channel's summary
card. `flush()`, once per batch rather than per event, saves what the updated
cards now say and posts or updates the summary cards. Only the leader calls
this. It decides nothing about what a card says (`cards`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol

from bot.alerts.cards import summary_card
from bot.alerts.flood import Admit, FloodControl, Summary
from bot.domain.events import AuditEvent
from bot.domain.models import Reply
from bot.domain.ports import ChatSurface, Place, PostedRef
from bot.gate.metrics import Metrics
from storage.alert_records import CardRecord, Claim
from storage.store import Store

log = logging.getLogger(__name__)

CACHED_CARDS = 10_000


class SurfaceLookup(Protocol):
    """Where a platform's surface is found when a card is due (the registry adapters fill at start)."""

    def get(self, platform: str, /) -> ChatSurface | None: ...


@dataclasses.dataclass(frozen=True)
class Card:
    """What one subject's card should say now."""

    subject: str  # alert:<fingerprint> | signal:<digest>
    kind: str  # alert | signal (metrics label)
    count: int  # with `state`, what decides whether a posted card needs an update
    state: str  # firing | resolved | recovered
    title: str  # for flood summaries
    reply: Reply
    fired: bool = False  # it was seen firing: a first card is news even when it has ended already


class Notifier:
    def __init__(
        self,
        *,
        store: Store,
        surfaces: SurfaceLookup,
        flood: FloodControl,
        owner: str,
        metrics: Metrics,
        stale_after: dt.timedelta = dt.timedelta(minutes=2),
        clock: Callable[[], float] = time.monotonic,
        record: Callable[..., Awaitable[Any]] | None = None,
    ) -> None:
        self._store = store
        self._surfaces = surfaces
        self._flood = flood
        self._owner = owner
        self._metrics = metrics
        self._stale_after = stale_after
        self._clock = clock
        self._record = record  # the audit trail: every card posted is a fact
        self._summaries: dict[str, tuple[Place, Summary]] = {}
        self._missing: set[str] = set()
        # Cards this process posted or updated (the leader is their only writer but for a hand-over;
        # `shown` is conditional on the version, so a stale entry is noticed and dropped).
        self._cards: dict[tuple[str, str, str], CardRecord] = {}
        # Updates already on the surfaces whose new count and state `flush` writes in one go.
        self._unsaved: list[tuple[CardRecord, int, str]] = []

    async def show(self, card: Card, places: Sequence[Place]) -> bool:
        """True when every place's card says what `card` says (or flood control holds it back);
        False when a post or an update failed or another poster is at it: call again later."""
        done = True
        for place in places:
            surface = self._surfaces.get(place.platform)
            if surface is None:
                if place.platform not in self._missing:
                    log.warning(
                        "no %s surface is running; cards for %s are not posted", place.platform, place.channel
                    )
                    self._missing.add(place.platform)
                continue
            done = await self._show_at(surface, place, card) and done
        return done

    async def _show_at(self, surface: ChatSurface, place: Place, card: Card) -> bool:
        existing = self._cards.get((place.platform, place.channel, card.subject))
        if existing is None:
            existing = await self._store.notifications.get(
                platform=place.platform, channel=place.channel, subject=card.subject
            )
        if existing is not None and existing.ref is not None:
            return await self._update(surface, existing, card)
        if existing is None:
            if card.state != "firing" and not card.fired:
                return True  # nobody was told it started: a recovery alone is no news
            where = f"{place.platform}:{place.channel}"
            decision = self._flood.decide(
                where, card.subject, count=card.count, title=card.title, now=self._clock()
            )
            if not isinstance(decision, Admit):
                self._metrics.alert_cards_suppressed.labels(place.platform).inc()
                self._summaries[where] = (place, decision.summary)
                return True
        return await self._post(surface, place, card)

    async def _post(self, surface: ChatSurface, place: Place, card: Card) -> bool:
        claim, record = await self._store.notifications.claim(
            platform=place.platform,
            channel=place.channel,
            subject=card.subject,
            owner=self._owner,
            stale_after=self._stale_after,
        )
        if claim is Claim.POSTED:
            return await self._update(surface, record, card)
        if claim is Claim.BUSY:
            return False
        ref = await surface.post(card.reply, place=place)
        if ref is None:
            return False  # the claim stays this process's: the next try posts it
        posted = await self._store.notifications.posted(
            record, ref=dict(ref.data), count=card.count, state=card.state
        )
        self._remember(posted)
        self._metrics.alert_cards.labels(card.kind, "posted").inc()
        if self._record is not None:
            await self._record(
                AuditEvent.ALERT_CARD_POSTED,
                platform=place.platform,
                channel=place.channel,
                status=card.state,
                detail={"subject": card.subject, "kind": card.kind, "title": card.title},
            )
        return True

    async def _update(self, surface: ChatSurface, record: CardRecord, card: Card) -> bool:
        if (record.count, record.state) == (card.count, card.state) or record.ref is None:
            return True
        # Files (an alert's chart) belong to the first post: an edit never uploads them again.
        reply = dataclasses.replace(card.reply, files=())
        if not await surface.update(PostedRef(record.platform, dict(record.ref)), reply):
            return False
        self._unsaved.append((record, card.count, card.state))
        self._remember(
            dataclasses.replace(record, count=card.count, state=card.state, version=record.version + 1)
        )
        self._metrics.alert_cards.labels(card.kind, "updated").inc()
        return True

    def _remember(self, record: CardRecord) -> None:
        key = (record.platform, record.channel, record.subject)
        self._cards.pop(key, None)
        self._cards[key] = record
        if len(self._cards) > CACHED_CARDS:
            self._cards.pop(next(iter(self._cards)))

    async def flush(self) -> None:
        """Save what the cards updated since the last flush say, and post or update the summary card
        of every channel that held cards back meanwhile (once per batch, not once per event)."""
        unsaved, self._unsaved = self._unsaved, []
        for (record, _, _), saved in zip(
            unsaved, await self._store.notifications.shown_many(unsaved), strict=True
        ):
            if not saved:  # another writer moved the row: read it again next time
                self._cards.pop((record.platform, record.channel, record.subject), None)
        pending, self._summaries = self._summaries, {}
        for place, summary in pending.values():
            surface = self._surfaces.get(place.platform)
            if surface is None:
                continue
            started_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self._clock() - summary.started)
            reply = summary_card(summary, started_at=started_at)
            card = Card(
                subject=f"flood:{self._owner_key()}:{summary.started:.3f}",
                kind="summary",
                count=summary.events,  # grows with every problem held back, new or counted again
                state="firing",
                title="",
                reply=reply,
            )
            await self._post(surface, place, card)

    def _owner_key(self) -> str:
        # Flood windows live in this process's memory: its summaries are its own cards.
        return self._owner.rsplit(":", 1)[-1]
