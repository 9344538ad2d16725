"""Mattermost text safety: defuse what came from a cluster, a model or a person, and read mentions back.

Mattermost renders Markdown and notifies on `@channel`, `@all`, `@here`,
`@username` and `~channel` anywhere in a message. Every piece of text the
bot did not write itself goes through `escape_text` (Markdown punctuation
backslash-escaped, so `[text](url)`, `![img](url)` and `<url>` stay text)
and `defuse_mentions` (a zero-width space after `@` and `~`, so the server's
mention parser and the clients' highlighter see no name). Code blocks get
the same treatment for mentions, and a run of three backticks or tildes
inside them is broken, so the block cannot be closed early. This module
calls no API and decides nothing.
"""

from __future__ import annotations

import re

ZWSP = "\u200b"
FENCE = "```"
# CommonMark's backslash escapes for everything that starts a link, an image, emphasis, code,
# a table, a heading, a quote or inline HTML.
_MARKDOWN = re.compile(r"([\\`*_\[\]()<>#|!{}])")
_FENCE_RUN = re.compile(r"(`{3,}|~{3,})")
_SPACES = re.compile(r"[ \t]{2,}")


def defuse_mentions(text: str) -> str:
    """`@channel` → `@\u200bchannel`: reads the same, notifies nobody, links nowhere."""
    return text.replace("@", "@" + ZWSP).replace("~", "~" + ZWSP)


def escape_text(text: str) -> str:
    """Text shown as it is: no Markdown of its own, no mentions, no links but bare URLs."""
    return defuse_mentions(_MARKDOWN.sub(r"\\\1", text))


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def code_block(text: str) -> str:
    """A fenced block whose content cannot close the fence early or mention anyone."""
    body = _FENCE_RUN.sub(lambda m: ZWSP.join(m.group(1)), defuse_mentions(text))
    return f"{FENCE}\n{body}\n{FENCE}"


def inline_code(text: str) -> str:
    body = defuse_mentions(text.replace("`", "'").replace("\n", " "))
    return f"`{body}`"


def strip_mention_of(text: str, username: str | None) -> str:
    """Remove `@botname`: the bot's own mention is addressing, not content."""
    if username:
        text = re.sub(rf"(?<![\w.@-])@{re.escape(username)}(?![\w-])", " ", text, flags=re.IGNORECASE)
    return text


def to_plain_text(text: str, *, bot_username: str | None) -> str:
    """A Mattermost message → what the person asked, without the bot's mention."""
    return _SPACES.sub(" ", strip_mention_of(text, bot_username)).strip()
