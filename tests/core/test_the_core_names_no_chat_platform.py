"""The core names no chat platform in code: memberships are opaque strings filled by adapters.

Scanned: every identifier, attribute and string literal (f-strings included) of the core
packages. Comments and docstrings are left out: they may name a platform as an example of
what an opaque value holds (a surface's message reference, a membership string). Two
modules of the settings layer are the declared places that name platforms: the platforms'
own config sections and secrets, and the translation of old platform-named keys.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ("bot/domain", "bot/gate", "bot/settings", "bot/conversation", "bot/agent")
NAMING_PLATFORMS = {
    "bot/settings/platforms.py": "the chat platforms' config sections and secret variables",
    "bot/settings/legacy.py": "the translation of old platform-named config keys and approval rows",
}
WORDS = re.compile(r"slack|discord|mattermost", re.IGNORECASE)


def _docstring_starts(tree: ast.AST) -> set[tuple[int, int]]:
    starts = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                starts.add((first.value.lineno, first.value.col_offset))
    return starts


def platform_words(source: str) -> list[str]:
    """`line: token` for each code token naming a platform (comments and docstrings skipped)."""
    docstrings = _docstring_starts(ast.parse(source))
    found = []
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type not in (tokenize.NAME, tokenize.STRING):
            continue
        if token.type == tokenize.STRING and token.start in docstrings:
            continue
        if WORDS.search(token.string):
            found.append(f"{token.start[0]}: {token.string}")
    return found


def core_modules() -> list[str]:
    return sorted(str(p.relative_to(ROOT)) for package in CORE for p in (ROOT / package).rglob("*.py"))


@pytest.mark.parametrize("module", [m for m in core_modules() if m not in NAMING_PLATFORMS])
def test_a_core_module_names_no_platform(module: str) -> None:
    assert platform_words((ROOT / module).read_text(encoding="utf-8")) == []


def test_the_modules_that_may_name_platforms_exist_and_are_few() -> None:
    assert all((ROOT / module).is_file() for module in NAMING_PLATFORMS)
    assert len(core_modules()) > 40


def test_the_scan_sees_code_but_not_docs() -> None:
    source = '''"""Slack in a module docstring."""
# discord in a comment
def f(x):
    """Mattermost in a docstring."""
    if x.platform == "slack":
        return f"{x.discord_role}"
    return x.mattermost_id
'''
    assert platform_words(source) == ['5: "slack"', '6: f"{x.discord_role}"', "7: mattermost_id"]
