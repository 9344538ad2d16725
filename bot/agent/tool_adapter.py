"""Coarse tool groups as LangChain tools whose only action is the gate's `submit`.

Each `ToolGroup` becomes one `StructuredTool` with the group's JSON schema.
Its coroutine reads the turn (who asks, where) from the graph's runtime
context and hands the call to `dispatch.run_tool_call`. Tools are built once
per bot; the turn travels in the runtime, never in a closure. Nothing here
decides safety or runs an operation itself.
"""

from __future__ import annotations

import json
import typing
from typing import Any

from langchain.tools import ToolRuntime
from langchain_core.tools import BaseTool, StructuredTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from bot.agent.dispatch import Turn, run_tool_call
from bot.agent.toolset import ToolGroup
from bot.gate.ports import OperationGateway


def to_langchain_tools(groups: list[ToolGroup], gateway: OperationGateway) -> list[BaseTool]:
    tools: list[BaseTool] = []
    for group in groups:

        async def call(
            operation: str,
            runtime: ToolRuntime[Turn],
            args: Any = None,
            _group: ToolGroup = group,
        ) -> str:
            return await run_tool_call(
                gateway=gateway,
                groups=groups,
                group=_group,
                operation=operation,
                args=args,
                turn=runtime.context,
            )

        # Resolved once: LangChain looks the hints up on every call, and resolving the string
        # annotations (`from __future__ import annotations`) each time cost ~0.3 ms a lookup.
        call.__annotations__ = typing.get_type_hints(call)
        tools.append(
            StructuredTool(
                name=group.name,
                description=group.description,
                args_schema=group.parameters(),
                coroutine=call,
            )
        )
    return tools


def openai_tool_schemas(tools: list[BaseTool]) -> list[dict[str, Any]]:
    """The tool definitions exactly as they go to the model (for budgets and tests)."""
    return [convert_to_openai_tool(tool) for tool in tools]


def schema_text(tools: list[BaseTool]) -> str:
    return json.dumps(openai_tool_schemas(tools), ensure_ascii=False)
