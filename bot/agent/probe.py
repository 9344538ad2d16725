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
from bot.settings.config import ConfigError, LoadedConfig
from tools.redact import redact_text

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


def probe_cause(error: ModelUnavailable) -> str:
    """The reason behind a failed probe, for the admin at `chatops check`: the HTTP status or the
    transport's own reason (connection refused, name not resolved, timeout); never the API's body."""
    root: BaseException = error
    while root.__cause__ is not None or root.__context__ is not None:
        root = root.__cause__ or root.__context__  # type: ignore[assignment]
    status = getattr(getattr(error.__cause__, "response", None), "status_code", None)
    if isinstance(status, int):
        reason = {
            401: "the API key was refused",
            403: "the API key may not use this model",
            404: "no such model or URL",
        }
        return (
            f"HTTP {status}"
            + (f" ({reason[status]})" if status in reason else "")
            + "; check llm.model, llm.base_url and OPENAI_API_KEY"
        )
    text = str(root).splitlines()[0][:160] if str(root) else ""
    return (
        f"{type(root).__name__}"
        + (f": {redact_text(text)}" if text else "")
        + "; check llm.base_url and that the model server is running"
    )


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
        return False, f"model {llm.model} at {where} does not answer: {probe_cause(e)}"
    ms = int((loop.time() - started) * 1000)
    calls = getattr(reply, "tool_calls", None) or []
    if not any(c.get("name") == "ping" for c in calls):
        return False, (
            f"model {llm.model} at {where} answers ({ms} ms) but did not call a tool; "
            "the agent needs a model with tool calling"
        )
    return True, f"model {llm.model} at {where} answers and calls tools ({ms} ms)"
