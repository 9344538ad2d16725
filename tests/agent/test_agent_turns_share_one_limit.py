"""One limit for agent turns: `limits.max_concurrent_agent_turns`, counted by the router's limits.

Questions and the agent's follow-ups after a change it asked for take the same
slots (shared by every replica through Redis); the agent keeps no count of its own.
"""

from __future__ import annotations

from bot.domain.models import ButtonAction
from tests.agent.conftest import ADMIN, ask, open_agent_app
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.fake_llm import Call, FakeLLM, Say

ONE_TURN = {"messages_per_minute": 1000, "llm_calls_per_minute": 1000, "max_concurrent_agent_turns": 1}


async def test_a_follow_up_is_left_out_while_every_turn_slot_is_taken(
    apps: Apps, sqlite_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    app = apps.keep(await open_agent_app(sqlite_url, backend, fake_llm, limits=ONE_TURN))
    limits = app.limits
    assert limits is not None
    fake_llm.push(Call.one("demo_change", "demo_scale", {"name": "web", "replicas": 5}), Say("Asked for it."))
    card = next(r for r in await app.router.handle(ask("scale web to 5")) if r.approval_id)
    assert card.approval_id is not None
    asked = len(fake_llm.requests)
    async with limits.agent_turn(wait_s=0) as free:  # another turn (any replica's) holds the only slot
        assert free
        outcome, _ = await app.router.handle_button(
            principal=ADMIN,
            action=ButtonAction.APPROVE,
            approval_id=card.approval_id,
            channel="C1",
            thread="T1",
        )
    assert backend.replicas["web"] == 5  # the change itself never waits for a model slot
    assert "scaled 2 → 5" in outcome.text
    assert len(fake_llm.requests) == asked  # no model call for the follow-up
    assert 'chatops_rate_limited_total{limit="agent_turns"} 1.0' in app.metrics.render().decode()
    # The slot is free again: the next question is answered.
    fake_llm.push(Say("web runs 5 replicas."))
    answer = await app.router.handle(ask("how many replicas now?"))
    assert "web runs 5 replicas." in answer[0].text
