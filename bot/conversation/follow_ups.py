"""The agent's word after a change it asked for has run in the background.

`AgentPort` is what the conversation needs of the language-model agent (its
own package, optional). When a long-running change (minikube start…) finishes
after its request has ended, `BackgroundFollowUps` asks the agent for its
follow-up and says it through the `Notifier`, where the conversation is.
It is subscribed to the gate's `Completions` once, in the composition root.
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.conversation.limits import Limits
from bot.domain.models import IncomingMessage, Reply
from bot.domain.outcomes import RequestContext
from bot.gate.metrics import Metrics
from bot.gate.ports import Notifier
from storage.records import ApprovalRecord

log = logging.getLogger(__name__)


class AgentPort(Protocol):
    """The language-model agent (its own module); optional."""

    async def answer(self, message: IncomingMessage, ctx: RequestContext) -> list[Reply]: ...

    async def follow_up(self, record: ApprovalRecord) -> list[Reply]:
        """Once a change the agent asked for has run: its word on the outcome ([] if not its own)."""
        ...


async def limited_follow_up(
    agent: AgentPort, record: ApprovalRecord, limits: Limits | None, metrics: Metrics
) -> list[Reply]:
    """A follow-up is an agent turn too: it takes a slot, and is left out when none is free."""
    if limits is None:
        return await agent.follow_up(record)
    async with limits.agent_turn() as free:
        if not free:
            metrics.limited.labels("agent_turns").inc()
            log.warning("no agent turn free for the follow-up on approval %s; left out", record.id)
            return []
        return await agent.follow_up(record)


class BackgroundFollowUps:
    def __init__(
        self, agent: AgentPort, notifier: Notifier, *, limits: Limits | None, metrics: Metrics
    ) -> None:
        self._agent = agent
        self._notifier = notifier
        self._limits = limits
        self._metrics = metrics

    async def __call__(self, record: ApprovalRecord) -> None:
        for reply in await limited_follow_up(self._agent, record, self._limits, self._metrics):
            await self._notifier.notice(record, reply.text)
