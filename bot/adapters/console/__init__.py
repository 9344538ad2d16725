"""The console adapter: a chat on a terminal (prompt_toolkit), or one message per line on piped stdin.

`loop` runs either; `terminal` is the interactive prompt (editing, history, multi-line input,
Ctrl-C / Ctrl-D, pager); `completion` completes verbs, kinds and names. It owns nothing else:
no policy, no approvals (`!approve ID` goes through the router like any other command).
"""

from bot.adapters.console.loop import run_console, to_message

__all__ = ["run_console", "to_message"]
