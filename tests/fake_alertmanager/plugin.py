"""Pytest fixture `fake_alertmanager`: a started `FakeAlertmanager`, closed after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_alertmanager.server import FakeAlertmanager


@pytest.fixture
async def fake_alertmanager() -> AsyncIterator[FakeAlertmanager]:
    fake = await FakeAlertmanager.start()
    try:
        yield fake
    finally:
        await fake.close()
