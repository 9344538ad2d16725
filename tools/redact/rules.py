"""Vendor token formats from a maintained rule set: `redact_known_formats`.

The rules are gitleaks' default configuration, converted once by
`scripts/refresh_secret_rules.py` into `rules/gitleaks.json` (read here at
first use; nothing is fetched at run time). Each rule has keywords, a regular
expression, the group that holds the secret, an entropy floor and allowlists,
applied as gitleaks applies them: a rule runs only when one of its keywords
is in the text, its secret must reach the entropy floor and must not be
allowlisted. One pass of a keyword trie over the lowercased text decides
which rules run, so text without any vendor keyword costs one regex scan.
The secret group is replaced with `[REDACTED:<rule id>]`; the words around it
stay. This module must not know Kubernetes objects or key/value text.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path

from tools.redact.entropy import shannon_entropy

RULES_FILE = Path(__file__).resolve().parent / "rules" / "gitleaks.json"
_MARKER_PREFIX = "[REDACTED"


@dataclasses.dataclass(frozen=True)
class Rule:
    id: str
    regex: re.Pattern[str]
    secret_group: int
    entropy: float
    keywords: tuple[str, ...]
    # True when every match starts where one of the keywords does (`glpat-…`, `twitter … = …`).
    anchored: bool
    allow_secret: tuple[re.Pattern[str], ...]
    allow_match: tuple[re.Pattern[str], ...]
    stopwords: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    by_keyword: dict[str, tuple[Rule, ...]]
    keyword_scan: re.Pattern[str]
    global_allow: tuple[re.Pattern[str], ...]

    def rules_for(self, lowered: str) -> list[tuple[Rule, list[int]]]:
        """The rules whose keywords occur in `lowered`, each with where its keywords start."""
        # The trie matches the longest keyword at a position; shorter ones it starts with are there too.
        # Matches do not overlap, and a keyword counts only at the start of a word (after a character
        # that is not a letter or digit: `glpat-…`, `ADAFRUIT_KEY`): a scan that tries every letter of
        # every word costs twice as much, for keywords run together with other words (`myadafruitkey`).
        at: dict[str, list[int]] = {}
        # The scan starts at the character before a keyword (cheaper than a lookbehind at every
        # position); a space in front lets a keyword open the text. Positions are the keyword's own.
        for match in self.keyword_scan.finditer(" " + lowered):
            at.setdefault(match.group(1), []).append(match.start(1) - 1)
        if not at:
            return []
        chosen = []
        for rule in self.rules:
            starts = sorted(
                {p for k in rule.keywords for found, ps in at.items() if found.startswith(k) for p in ps}
            )
            if starts:
                chosen.append((rule, starts))
        return chosen


@functools.cache
def rule_set() -> RuleSet:
    """The rule set, loaded and compiled once."""
    document = json.loads(RULES_FILE.read_text())
    rules = tuple(_rule(item) for item in document["rules"])
    by_keyword: dict[str, list[Rule]] = {}
    for rule in rules:
        for keyword in rule.keywords:
            by_keyword.setdefault(keyword, []).append(rule)
    return RuleSet(
        rules=rules,
        by_keyword={k: tuple(v) for k, v in by_keyword.items()},
        # The lookahead on the keywords' first characters skips the trie after most non-letters.
        keyword_scan=re.compile(f"[^a-z0-9](?=[{_first_chars(by_keyword)}])({_trie(by_keyword)})"),
        global_allow=tuple(re.compile(p) for p in document.get("global_allow", [])),
    )


def _rule(item: dict[str, object]) -> Rule:
    allow = item.get("allow") or []
    assert isinstance(allow, list)
    keywords = tuple(str(k) for k in item.get("keywords") or [])  # type: ignore[attr-defined]
    return Rule(
        id=str(item["id"]),
        regex=re.compile(str(item["regex"])),
        secret_group=int(str(item.get("secret_group", 0))),
        entropy=float(str(item.get("entropy", 0.0))),
        keywords=keywords,
        anchored=_is_anchored(str(item["regex"]), keywords),
        allow_secret=tuple(re.compile(a["regex"]) for a in allow if a.get("target", "secret") == "secret"),
        allow_match=tuple(re.compile(a["regex"]) for a in allow if a.get("target") in ("match", "line")),
        stopwords=tuple(str(s) for s in item.get("stopwords") or []),  # type: ignore[attr-defined]
    )


_LEADING_GROUPS = re.compile(r"^(?:\(\?i\)|\\b|\(\?:|\(\?i:|\(\?-i:|\(\?P<\w+>|\()*")
_LITERAL = re.compile(r"(?:\\[.\-_/]|[A-Za-z0-9_\-~])+")


def _is_anchored(regex: str, keywords: tuple[str, ...]) -> bool:
    """True when the regex begins with a literal that a keyword begins with (or that begins a keyword)."""
    literal = _LITERAL.match(_LEADING_GROUPS.sub("", regex))
    if literal is None or len(literal.group(0)) < 2:
        return False
    head = re.sub(r"\\(.)", r"\1", literal.group(0)).lower()
    return any(k.startswith(head) or head.startswith(k) for k in keywords)


def _first_chars(words: Iterable[str]) -> str:
    """The first characters of `words`, escaped for a character class."""
    return "".join(re.escape(char) for char in sorted({word[0] for word in words if word}))


def _trie(words: Iterable[str]) -> str:
    """One alternation of `words` shaped as a trie, so the scan tries one branch per letter."""
    tree: dict[str, dict[str, object]] = {}
    for word in words:
        node = tree
        for char in word:
            node = node.setdefault(char, {})  # type: ignore[assignment]
        node[""] = {}
    return _emit(tree)


def _emit(node: dict[str, dict[str, object]]) -> str:
    branches = [re.escape(char) + _emit(child) for char, child in sorted(node.items()) if char]  # type: ignore[arg-type]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


def redact_known_formats(text: str) -> str:
    """Replace every secret a gitleaks rule finds in `text` with `[REDACTED:<rule id>]`."""
    if len(text) < 8:
        return text
    rules = rule_set()
    lowered = text.lower()
    same_positions = len(lowered) == len(text)  # lower() can change the length of non-ASCII text
    spans: list[tuple[int, int, str]] = []
    for rule, starts in rules.rules_for(lowered):
        if rule.anchored and same_positions:
            found = (rule.regex.match(text, p) for p in starts)
            matches = [m for m in found if m is not None]
        else:
            matches = list(rule.regex.finditer(text))
        spans += [span for m in matches if (span := _secret_span(m, rule, rules)) is not None]
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end, marker in sorted(spans):
        if start < pos:
            continue  # overlaps a secret already replaced
        out += [text[pos:start], marker]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _secret_span(match: re.Match[str], rule: Rule, rules: RuleSet) -> tuple[int, int, str] | None:
    group = rule.secret_group or (1 if (match.re.groups and match.group(1)) else 0)
    secret = match.group(group) or ""
    if not _is_secret(secret, match.group(0), rule, rules):
        return None
    start, end = match.span(group)
    return start, end, f"[REDACTED:{rule.id}]"


def _is_secret(secret: str, whole: str, rule: Rule, rules: RuleSet) -> bool:
    if len(secret) < 4 or _MARKER_PREFIX in secret or "REDACTED" in secret:
        return False
    if rule.entropy and shannon_entropy(secret) < rule.entropy:
        return False
    lowered = secret.lower()
    if any(word in lowered for word in rule.stopwords):
        return False
    if any(p.search(secret) for p in rule.allow_secret) or any(p.search(whole) for p in rule.allow_match):
        return False
    return not any(p.search(secret) for p in rules.global_allow)
