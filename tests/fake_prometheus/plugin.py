"""Pytest fixture `fake_prometheus`: a started `FakePrometheus`, closed after the test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fake_prometheus.server import FakePrometheus


@pytest.fixture
async def fake_prometheus() -> AsyncIterator[FakePrometheus]:
    fake = await FakePrometheus.start()
    try:
        yield fake
    finally:
        await fake.close()
