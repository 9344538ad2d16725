"""Memory: per user and thread, stored in the database, bounded by `llm.memory_tokens`."""

from __future__ import annotations

import bpe_openai

from tests.agent.conftest import ADMIN, ask, open_agent_app
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.fake_llm import FakeLLM, Say

ENC = bpe_openai.get_encoding("o200k_base")


async def test_the_conversation_survives_a_restart(
    apps: Apps, sqlite_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    app = apps.keep(await open_agent_app(sqlite_url, backend, fake_llm))
    fake_llm.push(Say("Noted: the web app is yours."))
    await app.router.handle(ask("remember that I own the web app"))
    await apps.close(app)

    reopened = apps.keep(await open_agent_app(sqlite_url, backend, fake_llm))
    fake_llm.push(Say("You own web."))
    await reopened.router.handle(ask("which app do I own?"))
    roles = [(m["role"], m["content"]) for m in fake_llm.requests[-1].messages[1:]]
    assert roles == [
        ("user", "remember that I own the web app"),
        ("assistant", "Noted: the web app is yours."),
        ("user", "which app do I own?"),
    ]


async def test_memory_is_per_user_and_per_thread(
    apps: Apps, sqlite_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    app = apps.keep(await open_agent_app(sqlite_url, backend, fake_llm))
    fake_llm.script = lambda request: Say("ok")
    await app.router.handle(ask("my secret plan is blue", thread="T1"))
    await app.router.handle(ask("what is my plan?", who=ADMIN, thread="T1"))
    await app.router.handle(ask("what is my plan?", thread="T2"))
    assert "blue" not in fake_llm.requests[1].text()
    assert "blue" not in fake_llm.requests[2].text()


async def test_a_long_conversation_keeps_the_newest_turns_within_the_budget(
    apps: Apps, sqlite_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    budget = 600
    app = apps.keep(await open_agent_app(sqlite_url, backend, fake_llm, llm={"memory_tokens": budget}))
    fake_llm.script = lambda request: Say("Understood, noted the details of that deployment step. " * 3)
    for i in range(40):
        await app.router.handle(ask(f"step {i}: the rollout of service number {i} went to the canary " * 3))
    last = fake_llm.requests[-1].messages
    history = last[1:-1]  # between the system prompt and the current question
    used = sum(len(ENC.encode(str(m["content"]))) for m in history)
    assert used <= budget, used
    assert "step 38:" in str(history[-2]["content"])
    assert "earlier message(s) left out" in str(history[0]["content"])
    assert len(last) < 40


async def test_forget_clears_what_the_model_is_sent(
    apps: Apps, sqlite_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    app = apps.keep(await open_agent_app(sqlite_url, backend, fake_llm))
    fake_llm.script = lambda request: Say("ok")
    await app.router.handle(ask("the password hint is purple"))
    await app.router.handle(ask("!forget"))
    await app.router.handle(ask("what was the hint?"))
    assert "purple" not in fake_llm.requests[-1].text()
