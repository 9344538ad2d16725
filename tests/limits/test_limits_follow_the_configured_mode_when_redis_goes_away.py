"""Redis stopped mid-run: each limit fails open or closed as configured, logs once, counts it."""

from __future__ import annotations

import logging

import pytest

from bot.conversation.limit_store import RedisLimitStore
from bot.conversation.limits import Limits
from bot.gate.metrics import Metrics
from bot.settings.config import LimitSettings
from tests.limits.redis_server import RedisServer


def _limits(url: str, metrics: Metrics, **modes: str) -> Limits:
    settings = LimitSettings.model_validate(
        {"messages_per_minute": 3, "llm_calls_per_minute": 2, "when_redis_down": modes}
    )
    return Limits(settings, RedisLimitStore(url), metrics=metrics)


def _count(metrics: Metrics, limit: str, decision: str) -> float:
    value = metrics.registry.get_sample_value(
        "chatops_limit_store_unavailable_total", {"limit": limit, "decision": decision}
    )
    return value or 0.0


async def test_default_modes_let_messages_through_and_refuse_the_model(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    metrics = Metrics()
    limits = _limits(redis_server.url, metrics)
    try:
        for _ in range(3):
            assert await limits.check_message("slack:U1", "hi") is None
        assert (await limits.check_message("slack:U1", "hi")) is not None
        assert await limits.check_llm("slack:U1") is None

        redis_server.kill()
        caplog.set_level(logging.WARNING, logger="bot.conversation.limits")
        for _ in range(5):
            assert await limits.check_message("slack:U2", "hi") is None  # open
        refused = await limits.check_llm("slack:U2")
        assert refused is not None and refused.limit == "limit_store_down"
        assert "cannot check your usage limits" in refused.text and "try again" in refused.text
        async with limits.agent_turn(wait_s=0.1) as free:
            assert free is False
        down_lines = [r for r in caplog.records if "unreachable" in r.getMessage()]
        assert len(down_lines) == 1, [r.getMessage() for r in caplog.records]
        assert "redis://" not in down_lines[0].getMessage()
        assert _count(metrics, "messages", "allowed") == 5
        assert _count(metrics, "llm_calls", "refused") == 1
        assert _count(metrics, "agent_turns", "refused") == 1

        redis_server.start()  # an empty Redis: the counts start again, and the outage ends with one line
        assert await limits.check_llm("slack:U2") is None
        assert [r.getMessage() for r in caplog.records][-1] == "the shared limit store is reachable again"
    finally:
        await limits.close()


async def test_modes_can_be_turned_around(redis_server: RedisServer) -> None:
    metrics = Metrics()
    limits = _limits(redis_server.url, metrics, messages="closed", model="open")
    try:
        redis_server.kill()
        refused = await limits.check_message("slack:U1", "hi")
        assert refused is not None and refused.limit == "limit_store_down"
        assert await limits.check_llm("slack:U1") is None
        async with limits.agent_turn(wait_s=0.1) as free:
            assert free is True
        assert _count(metrics, "messages", "refused") == 1
        assert _count(metrics, "llm_calls", "allowed") == 1
    finally:
        await limits.close()


async def test_agent_turns_are_counted_across_stores_sharing_one_redis(redis_server: RedisServer) -> None:
    settings = LimitSettings(max_concurrent_agent_turns=2)
    replicas = [Limits(settings, RedisLimitStore(redis_server.url)) for _ in range(3)]
    try:
        async with replicas[0].agent_turn(wait_s=0) as first, replicas[1].agent_turn(wait_s=0) as second:
            assert first and second
            async with replicas[2].agent_turn(wait_s=0) as third:
                assert third is False
        async with replicas[2].agent_turn(wait_s=0) as again:
            assert again is True
    finally:
        for limits in replicas:
            await limits.close()
