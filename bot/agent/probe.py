"""`chatops check` for the model: does it answer, and does it call tools?

Sends one tiny request with one tool and `tool_choice` forcing it, through
the same gate (retries, deadline) the agent uses, and reports in one line.
Never prints the API key or the API's own error text.
"""

from __future__ import annotations

import asyncio
from typing import Any

from langchain_core.messages import HumanMessage

from bot.agent.errors import ModelUnavailable
from bot.agent.model import build_chat_model, gate_policy
from bot.agent.resilience import ModelGate
from bot.config import ConfigError, LoadedConfig

PING_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "ping",
        "description": "Answer the health check.",
        "parameters": {
            "type": "object",
            "properties": {"ok": {"type": "boolean"}},
            "required": ["ok"],
            "additionalProperties": False,
        },
    },
}


async def probe_model(loaded: LoadedConfig) -> tuple[bool, str]:
    llm = loaded.settings.llm
    where = llm.base_url or "api.openai.com"
    try:
        model = build_chat_model(loaded)
    except ConfigError as e:
        return False, str(e)
    bound = model.bind_tools([PING_TOOL], tool_choice="ping")
    gate = ModelGate(gate_policy(llm))
    loop = asyncio.get_running_loop()
    started = loop.time()
    try:
        reply = await gate.call(
            lambda: bound.ainvoke([HumanMessage(content="Health check: call ping with ok=true.")])
        )
    except ModelUnavailable as e:
        return False, f"model {llm.model} at {where}: {e}"
    ms = int((loop.time() - started) * 1000)
    calls = getattr(reply, "tool_calls", None) or []
    if not any(c.get("name") == "ping" for c in calls):
        return False, (
            f"model {llm.model} at {where} answers ({ms} ms) but did not call a tool; "
            "the agent needs a model with tool calling"
        )
    return True, f"model {llm.model} at {where} answers and calls tools ({ms} ms)"
