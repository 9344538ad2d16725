"""The agent's word after a change it asked for has run in the background.

`AgentPort` is what the conversation needs of the language-model agent (its
own package, optional). When a long-running change (minikube start…) finishes
after its request has ended, `BackgroundFollowUps` asks the agent for its
follow-up and says it through the `Notifier`, where the conversation is.
It is subscribed to the gate's `Completions` once, in the composition root.
"""

from __future__ import annotations

from typing import Protocol

from bot.domain.models import IncomingMessage, Reply
from bot.domain.outcomes import RequestContext
from bot.gate.ports import Notifier
from storage.records import ApprovalRecord


class AgentPort(Protocol):
    """The language-model agent (its own module); optional."""

    async def answer(self, message: IncomingMessage, ctx: RequestContext) -> list[Reply]: ...

    async def follow_up(self, record: ApprovalRecord) -> list[Reply]:
        """Once a change the agent asked for has run: its word on the outcome ([] if not its own)."""
        ...


class BackgroundFollowUps:
    def __init__(self, agent: AgentPort, notifier: Notifier) -> None:
        self._agent = agent
        self._notifier = notifier

    async def __call__(self, record: ApprovalRecord) -> None:
        for reply in await self._agent.follow_up(record):
            await self._notifier.notice(record, reply.text)
