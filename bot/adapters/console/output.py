"""The one place the console writes what the bot says (replies, notices, progress).

Every answer line goes through `say()`, so escaping or framing of console output is one
function; long answers on a terminal go through the pager.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import pydoc
import shutil
from pathlib import Path
from typing import TextIO

from bot.adapters.console.buttons import with_commands
from bot.adapters.console.escape import escape_terminal
from bot.domain.models import Reply
from bot.domain.render import render_text

PREFIX = "bot> "
INDENT = "\n     "


def as_text(reply: Reply) -> str:
    if reply.buttons:  # an alert card's buttons are shown as the lines that press them
        reply = dataclasses.replace(reply, buttons=with_commands(reply.buttons))
    return PREFIX + render_text(reply).replace("\n", INDENT)


def say(out: TextIO, text: str, *, page: bool = False) -> None:
    """Write one answer, its control characters shown, never executed (model, cluster or person
    may have written them). With `page` (a person at a terminal), one taller than the screen is paged."""
    text = escape_terminal(text)
    if page and text.count("\n") + 2 > shutil.get_terminal_size().lines:
        pydoc.pager(text)  # $PAGER, else less/more; plain output when there is none
        return
    print(text, file=out, flush=True)


def files_dir() -> Path:
    """Where the console keeps the files replies carry (chart images): the user's cache directory."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "chatops" / "files"


def save_files(reply: Reply) -> list[Path]:
    """Write each file of a reply to `files_dir()`; a terminal cannot show them inline."""
    if not reply.files:
        return []
    directory = files_dir()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    saved = []
    for attachment in reply.files:
        path = directory / f"{stamp}-{Path(attachment.filename).name}"
        path.write_bytes(attachment.content)
        saved.append(path)
    return saved
