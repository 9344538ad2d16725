"""Refresh tools/redact/rules/gitleaks.json from a gitleaks configuration file.

Usage: python scripts/refresh_secret_rules.py PATH/TO/gitleaks.toml

The rule set is gitleaks' default configuration (config/gitleaks.toml in
github.com/gitleaks/gitleaks, MIT licence): about 220 maintained rules for
vendor token formats, each with keywords, an optional secret group, entropy
floor and allowlists. This script converts the Go (RE2) regular expressions to
Python's `re` syntax, keeps the rules that compile, drops the ones the bot
covers itself (generic key/value and private-key blocks: `keyvalues.py`,
`patterns.py`) and writes a JSON file the bot loads at start. It runs by hand
when the rule set should be updated; tests and the bot never fetch anything.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "tools" / "redact" / "rules" / "gitleaks.json"
# Covered by the bot's own rules (`keyvalues.py`, `patterns.py`, `files.py`, `commands.py`,
# `objects.py` for Secrets): the curl rules also backtrack across lines (`.*?` five times) and the
# Secret-YAML rule over 300 characters, which Python's engine pays for dearly; `jwt` and
# `hashicorp-tf-password` hang on keywords (`ey`, `password`) found everywhere in logs.
SKIP = frozenset(
    {
        "generic-api-key",
        "private-key",
        "curl-auth-header",
        "curl-auth-user",
        "jwt",
        "kubernetes-secret-yaml",
        "hashicorp-tf-password",
    }
)
# Contextual rules start with the name's prefix (`[\w.-]{0,50}?` before the keyword): it only widens the
# match, never the secret group, and costs a backtracking engine fifty tries at every position.
_NAME_PREFIX = re.compile(r"^((?:\(\?i\)|\(\?i:)?)\[\\w\.-\]\{0,50\}\?")
_POSIX = {
    "[:alnum:]": "a-zA-Z0-9",
    "[:alpha:]": "a-zA-Z",
    "[:digit:]": "0-9",
    "[:lower:]": "a-z",
    "[:upper:]": "A-Z",
    "[:xdigit:]": "0-9a-fA-F",
    "[:space:]": r"\s",
    "[:word:]": r"\w",
}


def to_python(pattern: str) -> str:
    """RE2 syntax to Python `re`: `\\z`, POSIX classes, `(?<name>`, inline flags past the start."""
    out = pattern.replace(r"\z", r"\Z")
    for posix, plain in _POSIX.items():
        out = out.replace(posix, plain)
    out = re.sub(r"\(\?<(?=[A-Za-z])", "(?P<", out)
    head = ""
    if out.startswith("(?i)"):
        head, out = "(?i)", out[4:]
    # A global `(?i)` later in the pattern becomes a scoped group to its end, as RE2 means it.
    while (at := out.find("(?i)")) >= 0:
        out = out[:at] + "(?i:" + out[at + 4 :] + ")"
    return head + out


def convert(rule: dict[str, Any]) -> dict[str, Any] | None:
    if rule["id"] in SKIP or "regex" not in rule:
        return None
    regex = _NAME_PREFIX.sub(r"\1", _NAME_PREFIX.sub(r"\1", to_python(rule["regex"])))
    try:
        re.compile(regex)
    except re.error as e:
        print(f"skipped {rule['id']}: {e}", file=sys.stderr)
        return None
    allow_regexes: list[dict[str, str]] = []
    stopwords: list[str] = []
    for allow in rule.get("allowlists", []):
        if allow.get("paths") and not allow.get("regexes") and not allow.get("stopwords"):
            continue
        for item in allow.get("regexes", []):
            converted = to_python(item)
            try:
                re.compile(converted)
            except re.error:
                continue
            allow_regexes.append({"regex": converted, "target": allow.get("regexTarget", "secret")})
        stopwords += allow.get("stopwords", [])
    return {
        "id": rule["id"],
        "regex": regex,
        "secret_group": int(rule.get("secretGroup", 0)),
        "entropy": float(rule.get("entropy", 0.0)),
        "keywords": [k.lower() for k in rule.get("keywords", [])],
        "allow": allow_regexes,
        "stopwords": [s.lower() for s in stopwords],
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    config = tomllib.loads(Path(argv[1]).read_text())
    rules = [r for r in (convert(rule) for rule in config.get("rules", [])) if r is not None]
    global_allow = [to_python(r) for r in config.get("allowlist", {}).get("regexes", [])]
    document = {
        "source": "gitleaks default configuration (config/gitleaks.toml), MIT licence",
        "min_version": config.get("minVersion", ""),
        "global_allow": [r for r in global_allow if _compiles(r)],
        "rules": rules,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(document, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(rules)} rules to {OUT}")
    return 0


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
