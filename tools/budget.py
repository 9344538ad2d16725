"""The output budget: how many tokens a text costs and how to cut it to fit.

Tool output goes to the LLM and to chat with a token budget. `estimate_tokens`
is a cheap, conservative stand-in for a real tokenizer: a linear model over
character classes (letters, words, digits, punctuation, spaces, two-byte
scripts, CJK, other symbols) calibrated against o200k on JSON, YAML, logs and prose so that it is
never below 90% of the real count there and usually a little above it
(see tests/test_budget_estimate_vs_tokenizer.py). Prose costs about
chars/3.6, logs and JSON more because of their digits and punctuation.

Cutting keeps whole lines: the head and the tail with a marker line between
them, because the start of an object and the end of a log are what people
look for. Lines longer than the budget are shortened with `truncate_line`.
This module must not redact: callers redact first, then fit.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Literal

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_DIGITS = "0123456789"
_WORD = re.compile(r"[A-Za-z]+")
_TWO_BYTE = re.compile(r"[\u0080-\u07ff]")  # accented Latin, Greek, Cyrillic, Hebrew, Arabic
_CJK = re.compile(r"[\u2e80-\U0010ffff]")

# Token cost per character class and per word; see the module docstring.
_PER_LETTER = 0.06
_PER_WORD = 0.92
_PER_DIGIT = 0.78
_PER_PUNCT = 0.27
_PER_SPACE = 0.34
_PER_TWO_BYTE = 0.32
_PER_OTHER = 0.9  # symbols, emoji, punctuation such as '…' and '—'
_PER_CJK = 0.8


def _cost(text: str) -> float:
    """The fractional token cost of `text`; additive over lines, so line costs can be summed."""
    if not text:
        return 0.0
    ascii_chars = len(text.encode("ascii", "ignore"))
    non_ascii = len(text) - ascii_chars
    letters = sum(text.count(c) for c in _LETTERS)
    digits = sum(text.count(c) for c in _DIGITS)
    spaces = text.count(" ") + text.count("\n") + text.count("\t")
    punct = max(0, ascii_chars - letters - digits - spaces)
    cjk = len(_CJK.findall(text)) if non_ascii else 0
    two_byte = len(_TWO_BYTE.findall(text)) if non_ascii else 0
    return (
        letters * _PER_LETTER
        + len(_WORD.findall(text)) * _PER_WORD
        + digits * _PER_DIGIT
        + punct * _PER_PUNCT
        + spaces * _PER_SPACE
        + two_byte * _PER_TWO_BYTE
        + (non_ascii - cjk - two_byte) * _PER_OTHER
        + cjk * _PER_CJK
    )


def estimate_tokens(text: str) -> int:
    """A conservative token count for `text` (o200k-like tokenizers)."""
    return math.ceil(_cost(text))


def truncate_line(line: str, max_chars: int) -> str:
    """Shorten `line` to at most `max_chars` characters, saying how many were cut."""
    if len(line) <= max_chars:
        return line
    if max_chars <= 0:
        return ""
    suffix = _cut_suffix
    if len(suffix(len(line))) >= max_chars:
        return line[: max_chars - 1] + "…"
    # The suffix shrinks as fewer chars are cut: keep as many as still fit with the exact count.
    keep = max_chars - len(suffix(len(line)))
    while keep + 1 + len(suffix(len(line) - keep - 1)) <= max_chars:
        keep += 1
    return line[:keep] + suffix(len(line) - keep)


def _cut_suffix(cut: int) -> str:
    return f"… (+{cut} chars)"


def cut_marker(*, lines: int, chars: int) -> str:
    """The line that stands where lines were removed."""
    return f"… {lines} lines ({chars} chars) cut …"


def fit_lines(
    lines: Sequence[str],
    budget_tokens: int,
    *,
    keep: Literal["head", "tail", "both"] = "both",
) -> tuple[list[str], int]:
    """Keep as many whole lines as fit in `budget_tokens` (counting one newline each).

    `keep="head"` keeps the first lines, `"tail"` the last ones, `"both"` the
    first and last halves with a `cut_marker` line between them (the marker
    is part of the returned list and of the budget). Lines longer than the
    budget are shortened first. Returns the lines kept and how many were cut.
    """
    newline = _cost("\n")
    costs = [_cost(line) + newline for line in lines]
    if sum(costs) <= budget_tokens:
        return list(lines), 0
    capped = [_cap_line(line, budget_tokens) for line in lines]
    costs = [_cost(line) + newline for line in capped]
    if sum(costs) <= budget_tokens:
        return capped, 0
    if keep == "head":
        head = _take(costs, budget_tokens)
        return capped[:head], len(lines) - head
    if keep == "tail":
        tail = _take(costs[::-1], budget_tokens)
        return capped[len(capped) - tail :], len(lines) - tail
    return _fit_both(lines, capped, costs, budget_tokens)


def _fit_both(
    lines: Sequence[str], capped: list[str], costs: list[float], budget: int
) -> tuple[list[str], int]:
    # The marker's size depends on what is cut; reserve room for its largest form.
    worst_marker = _cost(cut_marker(lines=len(lines), chars=sum(len(x) + 1 for x in lines))) + _cost("\n")
    room = budget - worst_marker
    if room <= 0:
        return [], len(lines)
    head = _take(costs, room / 2)
    tail = _take(costs[head:][::-1], room - sum(costs[:head]))
    cut_from, cut_to = head, len(lines) - tail
    if cut_to <= cut_from:
        return capped, 0
    chars = sum(len(line) + 1 for line in lines[cut_from:cut_to])
    marker = cut_marker(lines=cut_to - cut_from, chars=chars)
    return [*capped[:head], marker, *capped[cut_to:]], cut_to - cut_from


def _take(costs: Sequence[float], budget: float) -> int:
    """How many leading items fit in `budget`."""
    total = 0.0
    for count, cost in enumerate(costs):
        total += cost
        if total > budget:
            return count
    return len(costs)


def _cap_line(line: str, budget_tokens: int) -> str:
    """A line alone may use at most half the budget, so a single huge line cannot crowd out the rest."""
    limit = max(1.0, budget_tokens / 2)
    if _cost(line) <= limit:
        return line
    # Binary search for the longest prefix whose cost fits: cost is monotonic in length.
    low, high = 0, len(line)
    while low < high:
        mid = (low + high + 1) // 2
        if _cost(truncate_line(line, mid)) <= limit:
            low = mid
        else:
            high = mid - 1
    while low > 0 and _cost(truncate_line(line, low)) > limit:
        low -= 1
    return truncate_line(line, low)


def fit_text(text: str, budget_tokens: int) -> tuple[str, bool]:
    """Return `text` if it fits, else its head and tail lines around a cut marker; and whether it cut."""
    if _cost(text) <= budget_tokens:
        return text, False
    kept, _ = fit_lines(text.split("\n"), budget_tokens, keep="both")
    return "\n".join(kept), True
