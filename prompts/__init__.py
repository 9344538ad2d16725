"""Prompt text, kept as files and loaded by name.

`load_prompt("system")` returns the text of `prompts/system.md`. This package
holds text only: it builds no messages, calls no model and imports nothing of
the bot.
"""

from __future__ import annotations

import functools
import importlib.resources
import re

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,40}$")


class PromptNotFound(LookupError):
    """No prompt file of that name ships with the package."""


@functools.cache
def load_prompt(name: str) -> str:
    """The prompt `prompts/<name>.md`, stripped of surrounding blank lines."""
    if not _NAME.match(name):
        raise PromptNotFound(f"prompt name {name!r} is not a plain lowercase word")
    resource = importlib.resources.files(__name__).joinpath(f"{name}.md")
    try:
        return resource.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise PromptNotFound(f"there is no prompt called {name!r} (expected prompts/{name}.md)") from None


def prompt_names() -> list[str]:
    """Every prompt shipped with the package, sorted."""
    return sorted(
        entry.name.removesuffix(".md")
        for entry in importlib.resources.files(__name__).iterdir()
        if entry.name.endswith(".md")
    )


__all__ = ["PromptNotFound", "load_prompt", "prompt_names"]
