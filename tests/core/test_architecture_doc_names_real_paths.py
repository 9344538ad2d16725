"""docs/ARCHITECTURE.md's "How to add…" recipes name files that exist, and the folders are the layers."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "ARCHITECTURE.md"


def _how_to_section() -> str:
    text = DOC.read_text()
    return text[text.index("## How to add") :]


def test_every_path_in_the_how_to_section_exists() -> None:
    paths = set(
        re.findall(
            r"`((?:bot|tools|tests|storage|prompts|docs)/[^`]*|config\.example\.yaml)`", _how_to_section()
        )
    )
    assert len(paths) >= 15, paths
    missing = []
    for raw in sorted(paths):
        concrete = raw.split(" ")[0]
        if "<" in concrete:  # a pattern such as bot/adapters/<platform>/: its parent must exist
            concrete = concrete[: concrete.index("<")]
        if not (ROOT / concrete).exists():
            missing.append(raw)
    assert missing == []


def test_the_layers_contract_lists_the_folders_of_bot() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c for c in contracts if c["type"] == "layers"]
    named = {layer.split(".")[1] for layer in layers["layers"]}
    packages = {p.name for p in (ROOT / "bot").iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in (ROOT / "bot").glob("*.py")} - {"__init__", "__main__"}
    # Every package and module directly under bot/ is a layer: nothing sits beside the layers.
    assert packages | modules == named
