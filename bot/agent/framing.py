"""Text crossing the model boundary: untrusted-data frames in, safe chat text out.

Everything an operation returns (results, previews, error messages) came from
a cluster or a chart and may carry instructions planted by whoever wrote it.
It reaches the model only inside an `<untrusted-data>` frame whose markers
cannot be forged from inside. What the model writes back may repeat such text,
so before it reaches the chat, mass mentions and mention syntax are defused.
Redaction of secret values is applied on both ways. Nothing here decides
safety or runs anything.
"""

from __future__ import annotations

import re

from tools.base import OperationResult, Table
from tools.redact import redact_text

_MARKER = re.compile(r"<(\s*/?\s*)(untrusted-data)", re.IGNORECASE)
_SOURCE = re.compile(r"[^a-z0-9_.-]")
_MASS_MENTION = re.compile(r"@(channel|here|everyone|all)\b", re.IGNORECASE)
_MENTION_SYNTAX = re.compile(r"<([!@#])")
_ZWSP = "\u200b"
# Terminal escapes and other control characters (not newline or tab) could redraw a console line.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
MODEL_HEADER = "Assistant (model-written, not a bot card):"
MAX_FRAMED_CHARS = 12_000


def escape_markers(text: str) -> str:
    """Make frame markers inside data inert (`<untrusted-data` → `&lt;untrusted-data`)."""
    return _MARKER.sub(lambda m: "&lt;" + m.group(1) + m.group(2), text)


def frame(text: str, *, source: str) -> str:
    """Wrap data from outside the bot in an untrusted-data frame, redacted and capped."""
    clean_source = _SOURCE.sub("_", source.lower())[:40] or "unknown"
    body = escape_markers(redact_text(text))
    if len(body) > MAX_FRAMED_CHARS:
        body = body[:MAX_FRAMED_CHARS] + "\n[… cut to fit]"
    return f'<untrusted-data source="{clean_source}">\n{body}\n</untrusted-data>'


def render_table(table: Table, *, max_rows: int = 60) -> str:
    lines = ["\t".join(table.columns)]
    lines += ["\t".join(row) for row in table.rows[:max_rows]]
    if len(table.rows) > max_rows:
        lines.append(f"[… {len(table.rows) - max_rows} more rows]")
    return "\n".join(lines)


def result_body(result: OperationResult) -> str:
    """An operation result as plain text: its text, table and code block."""
    parts = [result.text]
    if result.table is not None:
        parts.append(render_table(result.table))
    if result.code:
        parts.append(result.code)
    return "\n".join(p for p in parts if p)


def defuse_mentions(text: str) -> str:
    """Stop model text from pinging people: `@here`, `<!channel>`, `<@U123>` become inert."""
    text = _MASS_MENTION.sub(lambda m: "@" + _ZWSP + m.group(1), text)
    return _MENTION_SYNTAX.sub(lambda m: "<" + _ZWSP + m.group(1), text)


def to_chat(text: str) -> str:
    """Model output made fit for the chat: redacted, without mentions or control characters."""
    return _CONTROL.sub("", defuse_mentions(redact_text(text))).strip()


def as_model_words(text: str, *, header: str = MODEL_HEADER) -> str:
    """Chat-safe model text framed as the model's: a header, then every line quoted.

    Only the bot's own cards may look like cards. Every line of the model's text (split on
    every line break Python knows, so no stray separator starts an unquoted line) begins
    with `> `, under a header naming its author, on every surface.
    """
    lines = to_chat(text).splitlines()
    if not lines:
        return ""
    quoted = [f"> {line}" if line.strip() else ">" for line in lines]
    return "\n".join([header, *quoted] if header else quoted)


def unframe_model_words(text: str) -> str:
    """The model's own words back from a stored answer (for its memory): header and quotes off."""
    lines = text.splitlines()
    if not lines or lines[0] != MODEL_HEADER:
        return text
    body = lines[1:]
    end = next((i for i, line in enumerate(body) if not line.startswith(">")), len(body))
    words = [line[2:] if line.startswith("> ") else line[1:] for line in body[:end]]
    return "\n".join([*words, *body[end:]])
