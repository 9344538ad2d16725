"""Every `!` example in the README, docs/, the chart's values and `!help`'s examples goes through
the parser: a documented command that the bot does not understand is a lie in the docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.app import default_operations
from bot.conversation.commands import CommandError, parse
from bot.conversation.kubectl import SPELLINGS
from bot.settings.config import Settings
from tools.kubernetes.clusters import ClusterSet
from tools.registry import Registry

ROOT = Path(__file__).resolve().parents[2]
INLINE = re.compile(r"`(![a-z][^`]*)`")
PLACEHOLDERS = re.compile(r"\[[^\]]*\]|\|")  # `!help [command]`, `!use cluster|namespace NAME`


def documented() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "deploy/chatops/values.yaml"]
    for path in files:
        for example in INLINE.findall(path.read_text()):
            found.append((path.name, example))
    manifest = yaml.safe_load((ROOT / "docs/slack-app-manifest.yaml").read_text())
    for command in manifest["features"]["slash_commands"]:
        for hint in str(command.get("usage_hint", "")).split("|"):
            found.append(("slack-app-manifest.yaml", "!" + hint.strip()))
    for verb, examples in SPELLINGS.items():
        found += [(f"!help {verb}", example) for example in examples]
    return found


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry(default_operations(Settings(), ClusterSet([])))


def test_there_are_examples() -> None:
    assert len(documented()) >= 30


@pytest.mark.parametrize(("where", "example"), documented())
def test_example_parses(registry: Registry, where: str, example: str) -> None:
    text = PLACEHOLDERS.sub(" ", example).strip()
    if text.startswith("!use cluster") and text.split()[-1] == "NAME":
        text = "!use cluster NAME"
    try:
        parse(text, registry)
    except CommandError as e:
        pytest.fail(f"{where}: {example!r} does not parse: {e}")
