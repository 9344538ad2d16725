"""Fixtures: the fake Slack, a database file, a running bot (see `harness.py`), one behind its ack server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fake_slack.plugin import fake_slack  # noqa: F401  (a fixture)
from tests.fake_slack.server import FakeSlack
from tests.slack.acked import acked  # noqa: F401  (a fixture)
from tests.slack.harness import POLICY, SlackBot, running_bot

__all__ = ["POLICY", "SlackBot", "running_bot"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'chatops.db'}"


@pytest.fixture
async def bot(sqlite_url: str, fake_slack: FakeSlack) -> AsyncIterator[SlackBot]:  # noqa: F811
    async with running_bot(sqlite_url, fake_slack) as running:
        yield running
