"""The port for an alert card's buttons: who handles a click on Investigate, Silence or Acknowledge.

The router knows no alerts: it hands alert clicks to whatever handler is
registered here (the alerts service registers `AlertActions.click` when it
starts and unregisters it when it stops). With none registered, the router
keeps its one-sentence refusal. Nothing here decides or runs anything.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.conversation.unrecorded import unrecorded_sentence
from bot.domain.models import ButtonAction, Principal, Reply, ReplyKind
from bot.domain.outcomes import Outcome
from bot.gate.audit import AuditUnavailable
from storage.errors import StorageError
from tools.base import Status

log = logging.getLogger(__name__)
ALERT_BUTTON = "Alert-card buttons are not handled here right now; use !alerts, !silence or !debug instead."


class AlertClickHandler(Protocol):
    async def __call__(
        self,
        *,
        principal: Principal,
        action: ButtonAction,
        fingerprint: str,
        channel: str,
        thread: str | None,
    ) -> list[Reply]: ...


class AlertClicks:
    """At most one handler at a time; registered at start, not by assigning attributes."""

    def __init__(self) -> None:
        self._handler: AlertClickHandler | None = None

    @property
    def handler(self) -> AlertClickHandler | None:
        return self._handler

    def register(self, handler: AlertClickHandler) -> None:
        self._handler = handler

    def unregister(self, handler: AlertClickHandler) -> None:
        """Only the handler that is registered is removed (a stopping service leaves a newer one)."""
        if self._handler == handler:
            self._handler = None

    async def click(
        self,
        *,
        principal: Principal,
        action: ButtonAction,
        fingerprint: str,
        channel: str,
        thread: str | None,
    ) -> tuple[Outcome, list[Reply]]:
        """Hand a click to the handler; one sentence when there is none or nothing could be recorded."""
        if self._handler is None:
            return Outcome(Status.ERROR, ALERT_BUTTON), [
                Reply(ALERT_BUTTON, kind=ReplyKind.ERROR, ephemeral=True)
            ]
        try:
            replies = await self._handler(
                principal=principal, action=action, fingerprint=fingerprint, channel=channel, thread=thread
            )
        except (AuditUnavailable, StorageError) as e:
            log.error("alert click not processed: %s", e)
            sentence = unrecorded_sentence(e)
            return Outcome(Status.ERROR, sentence), [Reply(sentence, kind=ReplyKind.ERROR, ephemeral=True)]
        failed = any(r.kind in (ReplyKind.ERROR, ReplyKind.DENIED) for r in replies)
        return Outcome(Status.ERROR if failed else Status.OK, replies[0].text if replies else ""), replies
