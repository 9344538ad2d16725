"""429, 5xx, refused credentials and a hung endpoint: one sentence, in time; `!` commands still work."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import pytest

from bot.agent.framing import MODEL_HEADER
from bot.app import App
from bot.domain.models import ReplyKind
from tests.agent.conftest import ask, open_agent_app
from tests.core.demo_ops import Backend
from tests.fake_llm import Fail, FakeLLM, Hang, Say

TIMEOUT_S = 1.0


@pytest.fixture
async def quick_app(sqlite_url: str, backend: Backend, fake_llm: FakeLLM) -> AsyncIterator[App]:
    app = await open_agent_app(sqlite_url, backend, fake_llm, llm={"timeout_s": TIMEOUT_S})
    try:
        yield app
    finally:
        await app.close()


async def timed_answer(app: App, text: str = "what is running?") -> tuple[str, float]:
    started = time.monotonic()
    replies = await app.router.handle(ask(text))
    assert len(replies) == 1
    return replies[0].text, time.monotonic() - started


async def test_a_rate_limit_with_retry_after_is_waited_out_then_answered(
    quick_app: App, fake_llm: FakeLLM
) -> None:
    fake_llm.push(Fail(429, headers={"Retry-After": "0.4"}), Say("all good"))
    text, elapsed = await timed_answer(quick_app)
    assert text == f"{MODEL_HEADER}\n> all good"
    assert len(fake_llm.requests) == 2
    assert elapsed >= 0.4


async def test_a_lasting_rate_limit_gives_one_sentence_within_the_timeout(
    quick_app: App, fake_llm: FakeLLM
) -> None:
    fake_llm.script = lambda request: Fail(429, headers={"Retry-After": "30"})
    text, elapsed = await timed_answer(quick_app)
    assert text.startswith("The language model is rate-limiting me right now")
    assert "`!` commands still work." in text
    assert len(fake_llm.requests) == 1  # Retry-After is past the deadline: no pointless wait
    assert elapsed < TIMEOUT_S + 0.5


async def test_a_failing_server_is_retried_then_reported(quick_app: App, fake_llm: FakeLLM) -> None:
    fake_llm.script = lambda request: Fail(500)
    text, elapsed = await timed_answer(quick_app)
    assert text.startswith("The language model service is failing (HTTP 500)")
    assert len(fake_llm.requests) >= 2
    assert elapsed < TIMEOUT_S + 0.5


async def test_refused_credentials_are_not_retried_and_name_the_variable(
    quick_app: App, fake_llm: FakeLLM
) -> None:
    fake_llm.script = lambda request: Fail(401, message="Incorrect API key provided: sk-abc")
    text, _ = await timed_answer(quick_app)
    assert len(fake_llm.requests) == 1
    assert "OPENAI_API_KEY" in text and "sk-abc" not in text


async def test_a_hung_endpoint_gives_the_sentence_by_the_timeout(quick_app: App, fake_llm: FakeLLM) -> None:
    fake_llm.script = lambda request: Hang(60)
    text, elapsed = await timed_answer(quick_app)
    assert text.startswith(f"The language model did not answer within {TIMEOUT_S:g} s")
    assert TIMEOUT_S - 0.1 <= elapsed < TIMEOUT_S + 0.5


async def test_the_breaker_opens_after_repeated_failures_and_commands_keep_working(
    quick_app: App, fake_llm: FakeLLM, backend: Backend
) -> None:
    fake_llm.script = lambda request: Fail(503)
    for _ in range(3):
        await timed_answer(quick_app)
    sent = len(fake_llm.requests)
    text, elapsed = await timed_answer(quick_app)
    assert text.startswith("The language model failed 3 times in a row, so I am not asking it")
    assert len(fake_llm.requests) == sent and elapsed < 0.3
    replies = await quick_app.router.handle(ask("!demo get web"))
    assert replies[0].kind is ReplyKind.RESULT and "web" in str(replies[0].table)


async def test_retries_and_the_breaker_follow_the_config(
    sqlite_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    llm = {"timeout_s": TIMEOUT_S, "max_attempts": 1, "breaker_failures": 1, "breaker_cooldown_s": 30}
    app = await open_agent_app(sqlite_url, backend, fake_llm, llm=llm)
    try:
        fake_llm.script = lambda request: Fail(500)
        text, _ = await timed_answer(app)
        assert text.startswith("The language model service is failing (HTTP 500)")
        assert len(fake_llm.requests) == 1  # one attempt: no retry
        text, _ = await timed_answer(app)
        assert text.startswith("The language model failed once, so I am not asking it for the next 30 s")
        assert len(fake_llm.requests) == 1
    finally:
        await app.close()
