"""The agent's one middleware around every model call: budget, retries, tool-call limit.

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
from collections.abc import Awaitable, Callable
from typing import Any

from langchain.agents.middleware import AgentMiddleware, ModelRequest, ModelResponse
from langchain_core.messages import AIMessage, AnyMessage, ToolMessage

from bot.agent.dispatch import Turn
from bot.agent.memory import estimate_tokens
from bot.agent.resilience import ModelGate
from bot.gate.metrics import Metrics

DROPPED = "[output dropped to fit the model's input budget; call again if you still need it]"


def message_tokens(message: AnyMessage) -> int:
    content = message.content if isinstance(message.content, str) else str(message.content)
    calls = getattr(message, "tool_calls", None) or []
    return estimate_tokens(content) + sum(estimate_tokens(str(c.get("args"))) + 8 for c in calls)


def fit_messages(messages: list[AnyMessage], *, budget: int) -> list[AnyMessage]:
    """Drop the oldest tool outputs until the messages fit `budget` tokens."""
    total = sum(message_tokens(m) for m in messages)
    if total <= budget:
        return messages
    fitted = list(messages)
    for i, message in enumerate(fitted):
        if total <= budget:
            break
        if isinstance(message, ToolMessage) and message.content != DROPPED:
            total -= message_tokens(message) - estimate_tokens(DROPPED)
            fitted[i] = ToolMessage(content=DROPPED, tool_call_id=message.tool_call_id, name=message.name)
    return fitted


class AgentGuard(AgentMiddleware[Any, Turn]):
    """Applies the input budget, the model gate and the tool-call limit."""

    def __init__(
        self, *, gate: ModelGate, max_input_tokens: int, fixed_tokens: int, metrics: Metrics | None = None
    ) -> None:
        super().__init__()
        self._gate = gate
        self._metrics = metrics
        self._budget = max(500, max_input_tokens - fixed_tokens)

    async def awrap_model_call(
        self,
        request: ModelRequest[Turn],
        handler: Callable[[ModelRequest[Turn]], Awaitable[ModelResponse[Any]]],
    ) -> ModelResponse[Any]:
        turn = request.runtime.context
        fitted = request.override(messages=fit_messages(request.messages, budget=self._budget))
        loop = asyncio.get_running_loop()
        started, cpu_started = loop.time(), time.process_time()
        outcome = "error"
        try:
            response = await self._gate.call(lambda: handler(fitted))
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
            for message in response.result:
                usage = getattr(message, "usage_metadata", None) or {}
                self._metrics.llm_tokens.labels("input").inc(int(usage.get("input_tokens", 0) or 0))
                self._metrics.llm_tokens.labels("output").inc(int(usage.get("output_tokens", 0) or 0))
        return self._limit_tool_calls(response, turn)

    @staticmethod
    def _limit_tool_calls(response: ModelResponse[Any], turn: Turn) -> ModelResponse[Any]:
        """Count every tool call the model makes (unknown tools too) and drop those past the limit."""
        messages = list(response.result)
        for i, message in enumerate(messages):
            if not isinstance(message, AIMessage) or not message.tool_calls:
                continue
            room = max(0, turn.max_tool_calls - turn.tool_calls)
            kept = message.tool_calls[:room]
            turn.tool_calls += len(kept)
            if len(message.tool_calls) > room:
                turn.limited = True
                messages[i] = AIMessage(content=message.content, id=message.id, tool_calls=kept)
        return ModelResponse(result=messages, structured_response=response.structured_response)
