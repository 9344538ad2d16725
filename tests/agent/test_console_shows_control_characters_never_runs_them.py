"""Terminal escapes in the model's text (or anywhere) are printed as visible escapes on the console."""

from __future__ import annotations

import io

from bot.adapters.console import run_console
from bot.adapters.console.escape import escape_terminal
from bot.adapters.console.output import say
from tests.agent.conftest import open_agent_app
from tests.core.demo_ops import Backend
from tests.fake_llm import FakeLLM, Say

HOSTILE = "clear\x1b[2J title\x1b]0;pwned\x07 nul\x00 bs\x08 cr\r c1\x9b bidi\u202e end"


def test_escape_terminal_shows_every_control_character() -> None:
    shown = escape_terminal(HOSTILE + "\nline two\tok")
    assert shown == (
        "clear\\x1b[2J title\\x1b]0;pwned\\x07 nul\\x00 bs\\x08 cr\\x0d c1\\x9b bidi\\u202e end\nline two\tok"
    )


async def test_model_text_with_escapes_is_printed_inert(
    sqlite_url: str, backend: Backend, fake_llm: FakeLLM
) -> None:
    app = await open_agent_app(sqlite_url, backend, fake_llm)
    fake_llm.push(Say(HOSTILE))
    out = io.StringIO()
    try:
        code = await run_console(
            app, user="alice", channel="ops", stdin=io.StringIO("what now?\n!demo get web\n"), stdout=out
        )
    finally:
        await app.close()
    printed = out.getvalue()
    assert code == 0
    assert not any(ch in printed for ch in "\x1b\x07\x00\x08\r\x9b\u202e")
    # The model's frame drops its control characters; what is left is shown, never acted on.
    assert "clear[2J title]0;pwned" in printed and "\\u202e" in printed
    assert "web" in printed  # commands keep working after it
    # Whatever else reaches the console (cluster text, progress lines) is escaped where it is written.
    direct = io.StringIO()
    say(direct, "bot> \x1b[2J\x07 done")
    assert direct.getvalue() == "bot> \\x1b[2J\\x07 done\n"
