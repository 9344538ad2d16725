"""Every way the model can fail: one sentence about this turn, never an older answer; commands keep working.

The memory of the conversation holds an earlier turn that filed an approval
card (and said so). Each fault below then hits the next question; the answer
must not replay that older text or card, must say what happened in one
sentence, list only this turn's operations, leave no traceback in the logs,
and `!demo get` must still work afterwards. Outcomes only: no elapsed-time
assertions.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from bot.domain.models import ReplyKind
from tests.agent.conftest import ask, open_agent_app
from tests.core.demo_ops import Backend
from tests.fake_llm import Call, Drip, Fail, FakeLLM, Hang, Raw, Reset, Say, Step

TIMEOUT_S = 2.0  # roomy: the setup turn must not time out on a busy machine
EARLIER = "Filed approval for scaling web to 5 (earlier answer)."


def _bad_args_call() -> Raw:
    call = {"id": "c1", "type": "function", "function": {"name": "demo_change", "arguments": "{not json"}}
    return Raw.completion({"role": "assistant", "content": None, "tool_calls": [call]}, finish="tool_calls")


# (name, steps for the faulty turn, a phrase the one sentence must contain)
FAULTS: list[tuple[str, list[Step], str]] = [
    ("429 without Retry-After", [Fail(429)] * 8, "rate-limiting"),
    ("429 with Retry-After", [Fail(429, headers={"Retry-After": "30"})], "rate-limiting"),
    ("500", [Fail(500)] * 8, "HTTP 500"),
    (
        "503 with HTML",
        [Raw(503, b"<html><body><h1>503 Service Unavailable</h1></body></html>", "text/html")] * 8,
        "HTTP 503",
    ),
    ("hang", [Hang(60)], "did not answer within"),
    ("slow bytes", [Drip("never complete in time", chunk=4, delay_s=0.3)] * 8, "did not answer within"),
    ("connection reset", [Reset()] * 8, "cannot reach the language model"),
    ("malformed JSON", [Raw(200, b'{"id": "x", "choices": [ {')] * 8, "an answer I could not read"),
    ("null content", [Raw.completion({"role": "assistant", "content": None})], "gave no answer"),
    ("bad tool arguments", [_bad_args_call()], "could not read"),
]


@pytest.fixture
async def remembered(sqlite_url: str, backend: Backend, fake_llm: FakeLLM) -> AsyncIterator[App]:
    """An app whose conversation memory holds an earlier turn with a card and an answer."""
    app = await open_agent_app(
        sqlite_url, backend, fake_llm, llm={"timeout_s": TIMEOUT_S, "max_tool_calls": 3}
    )
    try:
        fake_llm.push(Call.one("demo_change", "demo_scale", {"name": "web", "replicas": 5}), Say(EARLIER))
        first = await app.router.handle(ask("please scale web to 5"))
        assert EARLIER in first[0].text and first[1].approval_id
        yield app
    finally:
        await app.close()


def assert_this_turn_only(replies: list[object], earlier_ids: set[str]) -> str:
    texts = [r.text for r in replies]  # type: ignore[attr-defined]
    assert all(EARLIER not in t for t in texts), texts
    assert not {r.approval_id for r in replies} & earlier_ids  # type: ignore[attr-defined]
    return texts[0]


async def _earlier_ids(app: App) -> set[str]:
    return {r.id for r in await app.store.list_approvals()}


@pytest.mark.parametrize(("name", "steps", "phrase"), FAULTS, ids=[f[0] for f in FAULTS])
async def test_each_fault_gives_one_sentence_about_this_turn(
    remembered: App,
    fake_llm: FakeLLM,
    backend: Backend,
    caplog: pytest.LogCaptureFixture,
    name: str,
    steps: list[Step],
    phrase: str,
) -> None:
    earlier = await _earlier_ids(remembered)
    fake_llm.push(*steps)
    caplog.set_level(logging.INFO)
    replies = await remembered.router.handle(ask("should I delete the api deployment?"))
    text = assert_this_turn_only(replies, earlier)
    assert phrase in text, text
    assert len(replies) == 1 and "Operations:" not in text
    assert "Traceback" not in caplog.text and not any(r.exc_info for r in caplog.records)
    fake_llm.steps.clear()
    remembered.router.agent.gate.breaker.record_success()  # type: ignore[union-attr]  # the next fault starts with a closed breaker
    get = await remembered.router.handle(ask("!demo get web"))
    assert get[0].kind is ReplyKind.RESULT


async def test_unknown_tools_count_toward_the_limit(remembered: App, fake_llm: FakeLLM) -> None:
    earlier = await _earlier_ids(remembered)
    sent = len(fake_llm.requests)
    fake_llm.script = lambda request: Call((("no_such_tool", {"x": 1}),))
    replies = await remembered.router.handle(ask("do something odd"))
    text = assert_this_turn_only(replies, earlier)
    assert "I stopped after 3 operation call(s)" in text
    assert len(fake_llm.requests) - sent == 4  # three calls ran, the fourth model answer was cut


async def test_a_tool_loop_stops_at_the_limit_and_lists_this_turns_reads(
    remembered: App, fake_llm: FakeLLM, backend: Backend
) -> None:
    earlier = await _earlier_ids(remembered)
    fake_llm.script = lambda request: Call.one("demo_read", "demo_get", {"name": "web"})
    replies = await remembered.router.handle(ask("check web forever"))
    text = assert_this_turn_only(replies, earlier)
    assert "I stopped after 3 operation call(s)" in text
    assert text.count("demo_get") == 3 and "demo_scale" not in text


async def test_the_graph_step_limit_is_a_logged_sentence_without_traceback(
    sqlite_url: str, backend: Backend, fake_llm: FakeLLM, caplog: pytest.LogCaptureFixture
) -> None:
    # The tool-call limit normally ends a loop first; with a generous one, the graph's own
    # step limit (a backstop) is what stops this model.
    app = await open_agent_app(sqlite_url, backend, fake_llm, llm={"timeout_s": TIMEOUT_S})
    try:
        agent = app.router.agent
        assert agent is not None
        agent.settings = dataclasses.replace(agent.settings, max_tool_calls=50, graph_steps=6)
        fake_llm.script = lambda request: Call.one("demo_read", "demo_get", {"name": "web"})
        caplog.set_level(logging.WARNING)
        replies = await app.router.handle(ask("loop"))
        assert "the model kept going without an answer" in replies[0].text
        assert "hit the step limit" in caplog.text
        assert not any(r.exc_info for r in caplog.records)
    finally:
        await app.close()


async def test_an_eight_megabyte_answer_is_cut_and_control_characters_kept_inert(
    remembered: App, fake_llm: FakeLLM
) -> None:
    huge = "\x1b[2J\x07ok " + "x" * (8 * 1024 * 1024)
    fake_llm.push(Raw(200, json.dumps(_say(huge)).encode()))
    replies = await remembered.router.handle(ask("say a lot"))
    # The model's words are cut at 6,000 characters; the frame's header and quote marks come on top.
    assert len(replies) == 1 and len(replies[0].text) <= 6000 + 100
    assert "ok" in replies[0].text
    fake_llm.push(Say("fine"))
    assert (await remembered.router.handle(ask("again")))[0].text.endswith("\n> fine")


def _say(text: str) -> dict[str, object]:
    from tests.fake_llm.steps import completion

    return completion(Say(text), model="fake-model", serial=1)
