"""Pytest fixture `fake_llm`: a started `FakeLLM`, closed after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_llm.server import FakeLLM


@pytest.fixture
async def fake_llm() -> AsyncIterator[FakeLLM]:
    llm = await FakeLLM.start()
    try:
        yield llm
    finally:
        await llm.close()
