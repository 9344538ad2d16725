"""What wraps every model call of the agent: budget, retries, tool-call limit.

Before a call, the conversation is cut to `max_input_tokens` (the oldest tool
outputs of the turn are dropped first). The call itself goes through the
`ModelGate` (tenacity retries, the circuit breaker, a deadline). After it,
every tool call is counted (a call to a tool that does not exist too) and
those that would pass the turn's limit are removed, so the graph ends and
the turn says it stopped. Time spent in the model (wall and process CPU) is
added to the turn, so overhead can be measured without it. Nothing here runs operations.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence

from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

from bot.agent.dispatch import Turn
from bot.agent.memory import estimate_tokens, message_tokens
from bot.agent.resilience import ModelGate
from bot.gate.metrics import Metrics

DROPPED = "[output dropped to fit the model's input budget; call again if you still need it]"


def fit_messages(
    messages: list[AnyMessage], *, budget: int, costs: Sequence[int] | None = None
) -> list[AnyMessage]:
    """Drop the oldest tool outputs until the messages fit `budget` tokens.

    `costs`: each message's `message_tokens`, when the caller counted them already."""
    if costs is None:
        costs = [message_tokens(m) for m in messages]
    total = sum(costs)
    if total <= budget:
        return messages
    fitted = list(messages)
    for i, message in enumerate(fitted):
        if total <= budget:
            break
        if isinstance(message, ToolMessage) and message.content != DROPPED:
            total -= costs[i] - estimate_tokens(DROPPED)
            fitted[i] = ToolMessage(content=DROPPED, tool_call_id=message.tool_call_id, name=message.name)
    return fitted


class AgentGuard:
    """Applies the input budget, the model gate and the tool-call limit to each model call."""

    def __init__(
        self, *, gate: ModelGate, max_input_tokens: int, fixed_tokens: int, metrics: Metrics | None = None
    ) -> None:
        self._gate = gate
        self._metrics = metrics
        self._budget = max(500, max_input_tokens - fixed_tokens)

    async def call_model(
        self,
        invoke: Callable[[list[AnyMessage]], Awaitable[AnyMessage]],
        messages: list[AnyMessage],
        costs: Sequence[int],
        turn: Turn,
    ) -> AnyMessage:
        """`invoke(fitted messages)` through the gate; the answer with its tool calls limited.

        `costs` are the messages' `message_tokens`, counted once by the caller."""
        fitted = fit_messages(messages, budget=self._budget, costs=costs)
        loop = asyncio.get_running_loop()
        started, cpu_started = loop.time(), time.process_time()
        outcome = "error"
        try:
            answer = await self._gate.call(lambda: invoke(fitted))
            outcome = "ok"
        finally:
            elapsed = loop.time() - started
            turn.model_seconds += elapsed
            turn.model_cpu_seconds += time.process_time() - cpu_started
            turn.model_calls += 1
            if self._metrics is not None:
                self._metrics.llm_calls.labels(outcome).inc()
                self._metrics.llm_seconds.observe(elapsed)
        if self._metrics is not None:
            usage = getattr(answer, "usage_metadata", None) or {}
            self._metrics.llm_tokens.labels("input").inc(int(usage.get("input_tokens", 0) or 0))
            self._metrics.llm_tokens.labels("output").inc(int(usage.get("output_tokens", 0) or 0))
        return self._limit_tool_calls(answer, turn)

    @staticmethod
    def _limit_tool_calls(message: AnyMessage, turn: Turn) -> AnyMessage:
        """Count every tool call the model makes (unknown tools too) and drop those past the limit."""
        if not isinstance(message, AIMessage) or not message.tool_calls:
            return message
        room = max(0, turn.max_tool_calls - turn.tool_calls)
        kept = message.tool_calls[:room]
        turn.tool_calls += len(kept)
        if len(message.tool_calls) <= room:
            return message
        turn.limited = True
        return AIMessage(content=message.content, id=message.id, tool_calls=kept)
