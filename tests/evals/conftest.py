"""Eval fixtures: the suite, a scripted model server, and a base config without a model."""

from __future__ import annotations

import pytest

from bot.evals.runner import Endpoint
from bot.evals.tasks import Task, load_suite
from bot.settings.config import LoadedConfig, Secrets, parse_settings
from tests.fake_llm.plugin import fake_llm  # noqa: F401  (fixture)
from tests.fake_llm.server import FakeLLM


@pytest.fixture(scope="session")
def suite() -> dict[str, Task]:
    return {task.id: task for task in load_suite()}


@pytest.fixture
def base_config() -> LoadedConfig:
    return LoadedConfig(settings=parse_settings({}), secrets=Secrets(), source=None)


@pytest.fixture
def endpoint(fake_llm: FakeLLM) -> Endpoint:  # noqa: F811  (fixture)
    return Endpoint(
        model="fake-model", base_url=fake_llm.base_url, timeout_s=60
    )  # generous: a loaded CI box must not turn a slow turn into a failed check
