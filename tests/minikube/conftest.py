"""Fixtures for the minikube tools."""

from __future__ import annotations

import pytest

from tools.base import RunContext


@pytest.fixture
def ctx() -> RunContext:
    return RunContext(request_id="req-1")
