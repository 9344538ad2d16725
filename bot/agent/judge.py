"""A grader model for `chatops eval --judge-model`: one plain call, through the same gate.

The grader sees only the text it is given and has no tools; its score is
reported apart from the checks and never decides whether a task passed.
Failures leave as `ModelUnavailable` (one sentence).
"""

from __future__ import annotations

from langchain_core.messages import AnyMessage, HumanMessage, SystemMessage

from bot.agent.model import build_chat_model, gate_policy
from bot.agent.resilience import ModelGate
from bot.settings.config import LoadedConfig


class Grader:
    """Raises ConfigError when the model cannot be built (no key for a hosted endpoint)."""

    def __init__(self, loaded: LoadedConfig) -> None:
        self.name = loaded.settings.llm.model or ""
        self._model = build_chat_model(loaded)
        self._gate = ModelGate(gate_policy(loaded.settings.llm))

    async def ask(self, *, system: str, user: str) -> str:
        messages: list[AnyMessage] = [SystemMessage(content=system), HumanMessage(content=user)]
        reply = await self._gate.call(lambda: self._model.ainvoke(messages))
        return reply.text
