"""The agent's tools run reads at once and turn changes into approval rows, never into runs."""

from __future__ import annotations

import json

from bot.agent.framing import MODEL_HEADER
from bot.app import App
from bot.domain.models import ButtonAction, ReplyKind
from storage.records import ApprovalState
from tests.agent.conftest import ADMIN, ask
from tests.core.demo_ops import Backend
from tests.fake_llm import Call, FakeLLM, Say


async def test_a_read_runs_at_once_and_the_reply_names_it_with_its_safety(
    app: App, fake_llm: FakeLLM, backend: Backend
) -> None:
    fake_llm.push(Call.one("demo_read", "demo_get", {"name": "web"}), Say("web runs 2 replicas."))
    replies = await app.router.handle(ask("how many replicas does web have?"))
    assert [r.kind for r in replies] == [ReplyKind.INFO]
    assert replies[0].text.startswith(f"{MODEL_HEADER}\n> web runs 2 replicas.")
    assert "[read] demo_get(name=web) → ok" in replies[0].text
    assert backend.runs == [("get", {"cluster": None, "namespace": None, "name": "web"})]
    first = fake_llm.requests[0]
    assert first.tool_names() == ["demo_read", "demo_change"]
    assert first.tools[1]["function"]["parameters"]["properties"]["operation"]["enum"] == [
        "demo_scale",
        "demo_delete",
    ]
    metrics = app.metrics.render().decode()
    assert 'chatops_llm_calls_total{outcome="ok"} 2.0' in metrics
    assert "chatops_llm_latency_seconds_count 2.0" in metrics


async def test_a_change_becomes_an_approval_card_and_does_not_run(
    app: App, fake_llm: FakeLLM, backend: Backend
) -> None:
    fake_llm.push(
        Call.one("demo_change", "demo_scale", {"name": "web", "replicas": 5}),
        Say("I asked for approval to scale web to 5 replicas."),
    )
    replies = await app.router.handle(ask("scale web to 5"))
    assert backend.replicas["web"] == 2 and backend.runs == []
    text, card = replies
    assert "[write] demo_scale(name=web, replicas=5) → approval" in text.text
    assert card.kind is ReplyKind.APPROVAL and card.approval_id is not None
    row = await app.store.get_approval(card.approval_id)
    assert row is not None and row.state is ApprovalState.PENDING and row.operation == "demo_scale"
    tool_result = fake_llm.requests[1].last_tool_result() or ""
    assert tool_result.startswith(f"APPROVAL_REQUIRED {row.id}: [write] ")
    assert "it has NOT run" in tool_result


async def test_the_operations_safety_comes_from_code_not_from_the_tool_it_was_called_by(
    app: App, fake_llm: FakeLLM, backend: Backend
) -> None:
    fake_llm.push(
        Call.one("demo_read", "demo_delete", {"name": "web"}),
        Call.one("demo_change", "demo_scale", {"name": "web", "replicas": 0}),
        Say("done"),
    )
    replies = await app.router.handle(ask("delete web"))
    results = fake_llm.requests[1].tool_results()
    assert "Not run: demo_read has no operation 'demo_delete'; it belongs to the tool demo_change." in results
    # Operators may not; the person reads why.
    assert (
        "[destructive] demo_scale(name=web, replicas=0) → refused: "
        "a destructive operation needs the admin role; you are operator." in replies[0].text
    )
    assert backend.runs == []


async def test_a_change_that_cannot_be_filed_shows_why_under_the_answer(
    app: App, fake_llm: FakeLLM, backend: Backend
) -> None:
    fake_llm.push(
        Call.one("demo_change", "demo_scale", {"name": "nope", "replicas": 2}), Say("Asked for it.")
    )
    replies = await app.router.handle(ask("scale nope to 2"))
    assert "[write] demo_scale(name=nope, replicas=2) → error: app nope not found" in replies[0].text
    assert not any(r.approval_id for r in replies) and await app.store.list_approvals() == []
    assert backend.runs == []


async def test_after_the_change_is_approved_the_agent_follows_up_in_the_same_thread(
    app: App, fake_llm: FakeLLM, backend: Backend
) -> None:
    fake_llm.push(
        Call.one("demo_change", "demo_scale", {"name": "web", "replicas": 4}), Say("Asked to scale web.")
    )
    replies = await app.router.handle(ask("scale web to 4"))
    approval_id = replies[-1].approval_id
    assert approval_id is not None
    fake_llm.push(Say("web now runs 4 replicas; check it with !demo get web."))
    _, clicked = await app.router.handle_button(
        principal=ADMIN, action=ButtonAction.APPROVE, approval_id=approval_id, channel="C1", thread="T1"
    )
    assert backend.replicas["web"] == 4
    assert clicked[-1].text.startswith(f"{MODEL_HEADER}\n> web now runs 4 replicas")
    follow_up = fake_llm.requests[-1]
    assert f"approval {approval_id} succeeded: demo_scale(name=web, replicas=4)" in follow_up.text()
    assert "app/web scaled 2 → 4" in follow_up.text()
    stored = await app.store.conversation(platform="slack", channel="C1", thread="T1")
    assert stored[-1].role == "assistant" and stored[-1].content.startswith(
        f"{MODEL_HEADER}\n> web now runs 4"
    )


async def test_an_approval_the_agent_did_not_ask_for_gets_no_follow_up(
    app: App, fake_llm: FakeLLM, backend: Backend
) -> None:
    replies = await app.router.handle(ask("!demo scale web --replicas 3"))
    approval_id = replies[-1].approval_id
    assert approval_id is not None
    _, clicked = await app.router.handle_button(
        principal=ADMIN, action=ButtonAction.APPROVE, approval_id=approval_id, channel="C1", thread="T1"
    )
    assert backend.replicas["web"] == 3
    assert fake_llm.requests == []
    assert all(r.kind is not ReplyKind.INFO or "scaled" in r.text for r in clicked)


async def test_bad_arguments_go_back_to_the_model_with_the_call_and_the_message(
    app: App, fake_llm: FakeLLM, backend: Backend
) -> None:
    fake_llm.push(
        Call.one("demo_change", "demo_scale", {"name": "web", "replica": 3}),
        Call.one("demo_change", "demo_scale", {"name": "web", "replicas": 3}),
        Say("Asked to scale web to 3."),
    )
    replies = await app.router.handle(ask("scale web to 3"))
    error = fake_llm.requests[1].last_tool_result() or ""
    assert error.startswith('Not run: demo_scale({"name": "web", "replica": 3}) is invalid:')
    assert "missing argument 'replicas'" in error
    assert "demo_scale(name*, replicas*:int)" in error
    assert replies[-1].kind is ReplyKind.APPROVAL
    assert json.loads(fake_llm.requests[1].messages[-2]["tool_calls"][0]["function"]["arguments"])[
        "args"
    ] == {
        "name": "web",
        "replica": 3,
    }


async def test_the_turn_stops_at_the_tool_call_limit_and_says_so(
    sqlite_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    from tests.agent.conftest import open_agent_app

    app = await open_agent_app(sqlite_url, backend, fake_llm, llm={"max_tool_calls": 2})
    try:
        fake_llm.script = lambda request: Call.one("demo_read", "demo_get", {"name": "web"})
        replies = await app.router.handle(ask("loop forever"))
    finally:
        await app.close()
    assert len(backend.runs) == 2
    assert "I stopped after 2 operation call(s), the most one question may use" in replies[0].text
    assert len(fake_llm.requests) == 3
