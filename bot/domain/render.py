"""Plain-text rendering of replies (the console, logs, file uploads).

Slack and Discord render their own way; this is the neutral fallback.
"""

from __future__ import annotations

from bot.domain.models import Reply
from tools.base import Table

MAX_CELL = 60


def render_table(table: Table) -> str:
    rows = [tuple(table.columns)] + [tuple(str(c) for c in row) for row in table.rows]
    cells = [[c if len(c) <= MAX_CELL else c[: MAX_CELL - 1] + "…" for c in row] for row in rows]
    widths = [max(len(row[i]) if i < len(row) else 0 for row in cells) for i in range(len(table.columns))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_text(reply: Reply) -> str:
    parts = [reply.text]
    for field in reply.fields:
        # Continuation lines sit under the value, not at the left margin.
        indent = "\n" + " " * (len(field.name) + 4)
        parts.append(f"  {field.name}: {indent.join(str(field.value).splitlines())}")
    if reply.table is not None:
        parts.append(render_table(reply.table))
    if reply.code:
        parts.append("\n".join("  | " + line for line in reply.code.splitlines()))
    if reply.buttons:
        parts.append("  [" + "] [".join(b.label for b in reply.buttons) + "]")
    return "\n".join(p for p in parts if p)
