"""A lone surrogate or a NUL in the model's answer is cleaned before it is recorded (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.agent.conftest import OPERATOR, ask, open_agent_app
from tests.core.demo_ops import Backend
from tests.core.fixtures import Apps
from tests.fake_llm import FakeLLM, Raw


async def test_model_answer_with_a_lone_surrogate_and_a_nul_is_recorded_cleaned(
    apps: Apps, database_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    app = apps.keep(await open_agent_app(database_url, backend, fake_llm))
    fake_llm.push(Raw.completion({"role": "assistant", "content": "half \ud800 a pair, nul \x00 end"}))
    replies = await app.router.handle(ask("what is running?"))
    assert replies[0].text.endswith("\n> half \ufffd a pair, nul  end")
    history = await app.store.recent_for_user(platform=OPERATOR.platform, user_id=OPERATOR.user_id)
    assert any(m.role == "assistant" and "half \ufffd a pair" in m.content for m in history)
    assert (await app.store.verify_audit()).ok
