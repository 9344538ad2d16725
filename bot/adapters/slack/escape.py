"""Slack text safety: escape what came from a cluster, a model or a person, and read Slack's markup back.

Slack treats `<…>` as control sequences (`<!channel>`, `<@U123>`, `<https://x|label>`),
so every piece of text the bot did not write itself is escaped (`&`, `<`, `>`)
before it is sent. Incoming text is unescaped and its auto-formatted links are
turned back into the words the person typed. This module calls no API and
decides nothing.
"""

from __future__ import annotations

import re

# `<https://web.prod|web.prod>` (Slack's auto-link of `web.prod`), `<mailto:a@b|a@b>`, `<https://x>`.
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")
CODE_FENCE = "```"


def escape_text(text: str) -> str:
    """Neutralise mentions, broadcasts and fake links: `<!channel>` arrives as text, not a ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape_text(text: str) -> str:
    """Slack escapes `&`, `<`, `>` in message text; the router wants what the person typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def code_block(text: str) -> str:
    """A fenced block whose content cannot close the fence early or mention anyone."""
    body = escape_text(text).replace(CODE_FENCE, "`\u200b`\u200b`")
    return f"{CODE_FENCE}\n{body}\n{CODE_FENCE}"


def strip_mentions_of(text: str, user_id: str | None) -> str:
    """Remove `<@UBOT>` / `<@UBOT|name>`: the bot's own mention is addressing, not content."""
    if user_id:
        text = re.sub(rf"<@{re.escape(user_id)}(?:\|[^>]*)?>", " ", text)
    return text


def to_plain_text(text: str, *, bot_user_id: str | None) -> str:
    """Slack message text → what the person typed, without the bot's mention."""
    text = strip_mentions_of(text, bot_user_id)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    return re.sub(r"[ \t]{2,}", " ", unescape_text(text)).strip()
