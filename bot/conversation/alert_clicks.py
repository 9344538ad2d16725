"""The port for an alert card's buttons: who handles a click on Investigate, Silence or Acknowledge.

The router knows no alerts: it hands alert clicks to whatever handler is
registered here (the alerts service registers `AlertActions.click` when it
starts and unregisters it when it stops). With none registered, the router
keeps its one-sentence refusal. Nothing here decides or runs anything.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain.models import ButtonAction, Principal, Reply


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
