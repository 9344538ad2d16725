"""The agent's tool loop: ask the model, run the tool calls it makes, until it answers in words.

Why not LangGraph's `create_agent`: its graph runtime (channels, supersteps,
callback managers, LangSmith's wrappers, the tool node) was more than half of
the bot's own CPU per turn, and that share grew with the box's load. This loop
does the same steps with LangChain's own pieces (the chat model with the tools
bound, its messages): the model call goes through `AgentGuard.call_model`
(budget, gate, tool-call limit, model time); each tool call of one answer runs
concurrently, as LangGraph's tool node runs them, and an unknown tool gets the
same error text. `steps` counts model calls and tool rounds like the graph's
recursion limit and raises `StepLimit` past it. Nothing here decides safety or
runs an operation except through the tools' coroutines.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, SystemMessage, ToolCall, ToolMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool

from bot.agent.dispatch import Turn
from bot.agent.memory import message_tokens
from bot.agent.middleware import AgentGuard

UNKNOWN_TOOL = "Error: {requested_tool} is not a valid tool, try one of [{available_tools}]."
BAD_CALL = "Error: {error}\n Please fix your mistakes."


class StepLimit(Exception):
    """The loop took more steps than allowed (the backstop behind `max_tool_calls`)."""


class ToolLoop:
    """Built once per bot: the model with the tools bound, and each tool's coroutine by name."""

    def __init__(
        self,
        *,
        model: BaseChatModel,
        tools: Sequence[BaseTool],
        system_prompt: str,
        guard: AgentGuard,
        run_tool: Callable[[BaseTool, Mapping[str, Any], Turn], Awaitable[str]],
    ) -> None:
        self._bound: Runnable[Any, Any] = model.bind_tools(list(tools))
        self._tools = {tool.name: tool for tool in tools}
        self._system = SystemMessage(content=system_prompt)
        self._guard = guard
        self._run_tool = run_tool

    async def run(
        self,
        messages: list[AnyMessage],
        *,
        costs: list[int],
        turn: Turn,
        steps: int,
        system: str | None = None,
    ) -> list[AnyMessage]:
        """The messages this turn added (the model's answers and the tools' results).

        `costs` are the messages' token counts (`message_tokens`); each message is counted once.
        `system` replaces the agent's system prompt for this turn (a flow's own prompt)."""
        head = self._system if system is None else SystemMessage(content=system)
        sent, sent_costs = list(messages), list(costs)
        added: list[AnyMessage] = []
        taken = 0
        while True:
            taken += 1
            if taken > steps:
                raise StepLimit
            answer = await self._guard.call_model(
                lambda fitted: self._bound.ainvoke([head, *fitted]), sent, sent_costs, turn
            )
            added.append(answer)
            if not isinstance(answer, AIMessage) or not answer.tool_calls:
                return added
            sent.append(answer)
            sent_costs.append(message_tokens(answer))
            taken += 1
            if taken > steps:
                raise StepLimit
            results = await asyncio.gather(*(self._call(call, turn) for call in answer.tool_calls))
            added += results
            sent += results
            sent_costs += [message_tokens(result) for result in results]

    async def _call(self, call: ToolCall, turn: Turn) -> ToolMessage:
        name, call_id = call["name"], call.get("id") or ""
        tool = self._tools.get(name)
        if tool is None:
            text = UNKNOWN_TOOL.format(requested_tool=name, available_tools=", ".join(self._tools))
            return ToolMessage(content=text, name=name, tool_call_id=call_id, status="error")
        args = call.get("args") or {}
        if not isinstance(args, Mapping) or not isinstance(args.get("operation"), str):
            error = ValueError("the call needs an `operation` (a string) and may have `args` (an object)")
            return ToolMessage(
                content=BAD_CALL.format(error=repr(error)), name=name, tool_call_id=call_id, status="error"
            )
        content = await self._run_tool(tool, args, turn)
        return ToolMessage(content=content, name=name, tool_call_id=call_id)
