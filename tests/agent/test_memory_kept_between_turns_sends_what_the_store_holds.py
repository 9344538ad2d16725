"""Memory kept between turns sends exactly what reading every row again would, within the budget,
and follows the store: rows deleted (`!forget`, an id SQLite hands out again), rows added elsewhere."""

from __future__ import annotations

from langchain_core.messages import HumanMessage
from sqlalchemy import delete

from bot.agent.framing import unframe_model_words
from bot.agent.memory import NOTE_PREFIX, NOTE_TOKENS, Memory, estimate_tokens
from bot.agent.recall import ConversationMemory
from bot.app import App
from storage.records import MessageRecord, NewMessage
from storage.store import Store
from storage.tables import messages
from tests.agent.conftest import OPERATOR, ask, open_agent_app
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.fake_llm import FakeLLM, Say

BUDGET = 400


def newest_within(rows: list[MessageRecord]) -> list[str]:
    """The rows a fresh read picks (newest within the budget, starting with the person), as stored."""
    kept: list[MessageRecord] = []
    used = 0
    for row in reversed(rows):
        if used + estimate_tokens(row.content) > BUDGET - NOTE_TOKENS:
            break
        kept.append(row)
        used += estimate_tokens(row.content)
    while kept and kept[-1].role != "user":
        kept.pop()
    return [NOTE_PREFIX + r.content if r.role == "tool" else r.content for r in reversed(kept)]


async def say(store: Store, role: str, content: str, *, user: str = OPERATOR.user_id) -> int:
    return await store.append_message(
        NewMessage(platform="slack", channel="C1", thread="T1", user_id=user, role=role, content=content)
    )


async def turn(store: Store, n: int) -> None:
    await say(store, "user", f"question {n}: is the rollout of service {n} done? " * (1 + n % 3))
    await say(store, "tool", f"approval a{n} requested: demo_scale(name=web{n}, replicas={n})")
    await say(
        store, "assistant", f"Assistant (model-written, not a bot card):\n> Service {n} is rolling out."
    )


async def load(memory: ConversationMemory) -> Memory:
    return await memory.load(principal=OPERATOR, channel="C1", thread="T1")


async def agent_app(apps: Apps, url: str, backend: Backend, fake_llm: FakeLLM) -> App:
    return apps.keep(await open_agent_app(url, backend, fake_llm))


async def test_after_fifty_turns_a_warm_memory_equals_a_cold_one_and_keeps_the_budget(
    apps: Apps, database_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    store = (await agent_app(apps, database_url, backend, fake_llm)).store
    warm = ConversationMemory(store, budget_tokens=BUDGET)
    for n in range(50):
        await turn(store, n)
        await load(warm)
    await say(store, "user", "someone else in the thread", user="U_OTHER")

    kept, fresh = await load(warm), await load(ConversationMemory(store, budget_tokens=BUDGET))

    assert kept == fresh
    assert kept.tokens <= BUDGET - NOTE_TOKENS
    assert (
        kept.dropped > 100
        and kept.messages[0].content == f"{NOTE_PREFIX}{kept.dropped} earlier message(s) left out."
    )
    assert isinstance(kept.messages[1], HumanMessage)
    assert kept.messages[-1].content == "Service 49 is rolling out."
    assert "someone else" not in str([m.content for m in kept.messages])
    assert len(kept.costs) == len(kept.messages)
    rows = await store.conversation(platform="slack", channel="C1", thread="T1", limit=200)
    own = [r for r in rows if r.user_id == OPERATOR.user_id]
    assert [m.content for m in kept.messages[1:]] == [unframe_model_words(c) for c in newest_within(own)]


async def test_forgotten_rows_are_never_sent_even_when_their_ids_are_given_out_again(
    apps: Apps, database_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    store = (await agent_app(apps, database_url, backend, fake_llm)).store
    memory = ConversationMemory(store, budget_tokens=BUDGET)
    before = [await say(store, "user", "the password hint is purple"), await say(store, "assistant", "noted")]
    assert [m.content for m in (await load(memory)).messages] == ["the password hint is purple", "noted"]

    await store.forget(platform="slack", user_id=OPERATOR.user_id)
    # On SQLite the next rows may take the deleted rows' ids.
    after = [await say(store, "user", "what is the weather?"), await say(store, "assistant", "sunny")]

    assert [m.content for m in (await load(memory)).messages] == ["what is the weather?", "sunny"], (
        before,
        after,
    )


async def test_a_row_kept_only_by_its_cost_is_read_again_when_newer_rows_go(
    apps: Apps, database_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    store = (await agent_app(apps, database_url, backend, fake_llm)).store
    memory = ConversationMemory(store, budget_tokens=60)
    await say(store, "user", "an old question about the cache")
    await say(store, "assistant", "an old answer")
    newer = [
        await say(store, "user", "a long newer question " * 8),
        await say(store, "assistant", "a newer answer"),
    ]
    assert "an old answer" not in str((await load(memory)).messages)

    await store.database.run(
        lambda conn: conn.execute(delete(messages).where(messages.c.id.in_(newer))), write=True
    )

    assert [m.content for m in (await load(memory)).messages] == [
        "an old question about the cache",
        "an old answer",
    ]


async def test_rows_another_replica_wrote_reach_the_model_and_forget_reaches_it(
    apps: Apps, database_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    app = await agent_app(apps, database_url, backend, fake_llm)
    other = await agent_app(apps, database_url, backend, fake_llm)
    fake_llm.script = lambda request: Say("ok")
    await app.router.handle(ask("my deploy window is friday"))
    await other.router.handle(ask("and the freeze starts monday"))
    await app.router.handle(ask("when can I deploy?"))
    assert "friday" in fake_llm.requests[-1].text() and "monday" in fake_llm.requests[-1].text()

    await other.router.handle(ask("!forget"))
    await app.router.handle(ask("what did I tell you?"))

    assert "friday" not in fake_llm.requests[-1].text() and "monday" not in fake_llm.requests[-1].text()
