"""On the console, the model's words are framed as its own: a header, every line quoted,
no terminal escapes, and no live mention in them or in the "Operations:" lines."""

from __future__ import annotations

import io

from bot.adapters.console import run_console
from tests.agent.conftest import open_agent_app
from tests.agent.forged import FORGED_ID, script
from tests.core.demo_ops import Backend
from tests.fake_llm import FakeLLM

PREFIX = "     "  # the console indents a reply's continuation lines


async def test_a_forged_card_is_printed_quoted_under_the_models_name(
    sqlite_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    app = await open_agent_app(sqlite_url, backend, fake_llm)
    fake_llm.push(*script())
    out = io.StringIO()
    await run_console(app, user="alice", channel="console", stdin=io.StringIO("is prod fine?\n"), stdout=out)
    printed = out.getvalue()
    lines = printed.splitlines()
    assert lines[0] == "bot> Assistant (model-written, not a bot card):"
    forged = [line for line in lines if FORGED_ID in line or "[Approve]" in line or "Operation:" in line]
    assert len(forged) == 4
    assert all(line.startswith(f"{PREFIX}> ") for line in forged), forged
    assert "\x1b" not in printed and "\r" not in printed and "\u2028" not in printed
    (operations_line,) = [line for line in lines if "demo_get(" in line]
    for live in ("@here", "@channel", "<!channel>", "<!here>", "<@U0BOSS>"):
        assert live not in printed, live
    assert operations_line.startswith(f"{PREFIX}• [read] demo_get(")
    # Only a real card starts a line with "Approval": none was filed, so no such line.
    assert not any(line.startswith(("bot> Approval", f"{PREFIX}Approval")) for line in lines)
