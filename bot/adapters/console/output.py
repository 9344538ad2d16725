"""The one place the console writes what the bot says (replies, notices, progress).

Every answer line goes through `say()`, so escaping or framing of console output is one
function; long answers on a terminal go through the pager.
"""

from __future__ import annotations

import pydoc
import shutil
from typing import TextIO

from bot.models import Reply
from bot.render import render_text

PREFIX = "bot> "
INDENT = "\n     "


def as_text(reply: Reply) -> str:
    return PREFIX + render_text(reply).replace("\n", INDENT)


def say(out: TextIO, text: str, *, page: bool = False) -> None:
    """Write one answer. With `page` (a person at a terminal), one taller than the screen is paged."""
    if page and text.count("\n") + 2 > shutil.get_terminal_size().lines:
        pydoc.pager(text)  # $PAGER, else less/more; plain output when there is none
        return
    print(text, file=out, flush=True)
