"""A local OpenAI-compatible chat-completions server for tests (aiohttp).

It answers `POST /v1/chat/completions` with scripted steps (text, tool calls,
HTTP errors, a hang) and records every request, so tests run the real
`ChatOpenAI` over real HTTP and assert what the model was sent.
"""

from tests.fake_llm.server import FakeLLM, LLMRequest
from tests.fake_llm.steps import Call, Drip, Fail, Hang, Raw, Reset, Say, Step

__all__ = ["Call", "Drip", "Fail", "FakeLLM", "Hang", "LLMRequest", "Raw", "Reset", "Say", "Step"]
