"""The interactive prompt: line editing, a persisted history, completion, multi-line input.

A message continues on the next line after a trailing `\\` (joined with a space) or while a
``` fence is open (joined with newlines), so a pasted manifest is one message. Ctrl-C at the
prompt clears what was typed; Ctrl-D leaves. The history lives in the user's state directory
(platformdirs), so it survives restarts and is the same from any folder.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from prompt_toolkit import PromptSession
from prompt_toolkit.history import FileHistory

from bot.adapters.console.completion import CommandCompleter
from bot.app import App

PROMPT = "you> "
MORE = "...> "


def history_path() -> Path:
    path = platformdirs.user_state_path("chatops") / "console_history"
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


class Terminal:
    def __init__(self, app: App, *, user: str, channel: str) -> None:
        self.session: PromptSession[str] = PromptSession(
            history=FileHistory(str(history_path())),
            completer=CommandCompleter(app, user=user, channel=channel),
            complete_while_typing=False,
            enable_history_search=True,
        )

    async def read_message(self) -> str | None:
        """One whole message, None on Ctrl-D."""
        text = ""
        while True:
            try:
                line = await self.session.prompt_async(MORE if text else PROMPT)
            except KeyboardInterrupt:
                text = ""  # Ctrl-C: drop what was typed, ask again
                continue
            except EOFError:
                return text or None
            if line.endswith("\\") and line.count("```") % 2 == 0 and text.count("```") % 2 == 0:
                text += line[:-1] + " "
                continue
            text += line
            if text.count("```") % 2 == 1:
                text += "\n"
                continue
            return text
