"""Agent fixtures: the demo backend app with the real ChatOpenAI pointed at the fake model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.app import App
from bot.domain.models import IncomingMessage, Principal
from tests.core.demo_ops import Backend
from tests.core.fixtures import open_app
from tests.fake_llm.plugin import fake_llm  # noqa: F401  (fixture)
from tests.fake_llm.server import FakeLLM

OPERATOR = Principal("slack", "U_OP", "Olive", ())
ADMIN = Principal("slack", "U_ADMIN", "Ada", ())
ROLES = {
    "roles": {"admin": {"members": ["slack:user:U_ADMIN"]}, "operator": {"members": ["slack:user:U_OP"]}}
}


def ask(
    text: str, *, who: Principal = OPERATOR, channel: str = "C1", thread: str | None = "T1"
) -> IncomingMessage:
    return IncomingMessage(who, channel, text, thread=thread)


async def open_agent_app(
    url: str, backend: Backend, fake: FakeLLM, *, llm: dict[str, Any] | None = None, **overrides: Any
) -> App:
    llm_settings = {"model": "fake-model", "base_url": fake.base_url, "timeout_s": 3, **(llm or {})}
    overrides.setdefault("policy", ROLES)
    overrides.setdefault("limits", {"messages_per_minute": 1000, "llm_calls_per_minute": 1000})
    return await open_app(url, backend, llm=llm_settings, **overrides)


@pytest.fixture
async def app(sqlite_url: str, backend: Backend, fake_llm: FakeLLM) -> AsyncIterator[App]:  # noqa: F811  (fixture)
    opened = await open_agent_app(sqlite_url, backend, fake_llm)
    try:
        yield opened
    finally:
        await opened.close()
