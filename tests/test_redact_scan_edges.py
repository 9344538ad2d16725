"""The faster scans find what the plain patterns find: at the start of the text, after `=`, next to other runs."""

from __future__ import annotations

import pytest

from tools.redact import redact_text
from tools.redact.entropy import CANDIDATE, _candidate_spans

_KEY = "Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0Lz"  # 32 characters, high entropy
_GITHUB = "ghp_" + "A1b2C3d4" * 5


@pytest.mark.parametrize(
    "text",
    [
        _KEY,
        _KEY + "==",
        _KEY + "===",
        _KEY + "=" + _KEY,
        _KEY + "==" + _KEY,
        _KEY + " " + _KEY,
        "=" + _KEY,
        "x" + _KEY,
        "é" + _KEY + "\n" + _KEY + "=,",
        "key: " + _KEY[:31],
        "",
    ],
)
def test_high_entropy_candidates_are_the_plain_patterns_matches(text: str) -> None:
    assert list(_candidate_spans(text)) == [m.span() for m in CANDIDATE.finditer(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (_GITHUB, "[REDACTED:github-token]"),
        (f"clone with {_GITHUB} now", "clone with [REDACTED:github-token] now"),
        ("Bearer abcdefghijklmnopqrstuvwx", "Bearer [REDACTED:bearer-token]"),
        ("AKIAABCDEFGHIJKLMNOP", "[REDACTED:aws-access-key]"),
    ],
)
def test_named_tokens_are_found_where_the_text_begins(text: str, expected: str) -> None:
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    "text", ["x" + _GITHUB, "_" + _GITHUB, "xBearer abcdefghijklmnopqrstuvwx", "ZAKIAABCDEFGHIJKLMNOP"]
)
def test_named_tokens_are_not_found_inside_a_longer_word(text: str) -> None:
    redacted = redact_text(text)
    assert "github-token" not in redacted
    assert "bearer-token" not in redacted
    assert "aws-access-key" not in redacted
