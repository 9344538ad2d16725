"""Memberships: the opaque strings that say who a person is and what they belong to.

An adapter fills a `Principal` with strings of the form `<platform>:<kind>:<id>`
(a user, a user group, a role, a workspace, …); the core never splits them or
knows what a platform or a kind means. Config names them the same way, with
`*` and `?` as globs (`console:user:*`), and the gate matches one against the
other: role membership, identity mapping, channel rules. Globs live in config
only; a membership string is matched literally, so an id that happens to hold
`*` cannot widen anything.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_PATTERN_NAME = re.compile(r"[a-z0-9_*?-]{1,32}")
EXAMPLE = "console:user:alice"


def member(platform: str, kind: str, ident: str) -> str:
    """The membership string of `ident` as a `kind` on `platform` (what adapters fill)."""
    if not _NAME.fullmatch(platform) or not _NAME.fullmatch(kind):
        raise ValueError(f"platform and kind must be short lowercase names (got {platform!r}, {kind!r})")
    if not ident:
        raise ValueError(f"a {kind} id must not be empty")
    return f"{platform}:{kind}:{ident}"


def platform_of(membership: str) -> str:
    return membership.split(":", 1)[0]


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` cannot be a membership pattern of the config, or None.

    `<platform>:<kind>:<id>` with globs in any part, or `<platform>:*`
    (everything on one platform). A bare id would match nothing, so it is refused.
    """
    parts = pattern.split(":", 2)
    if len(parts) == 2 and parts[1] == "*" and _PATTERN_NAME.fullmatch(parts[0]):
        return None
    if (
        len(parts) == 3
        and all(parts)
        and _PATTERN_NAME.fullmatch(parts[0])
        and _PATTERN_NAME.fullmatch(parts[1])
    ):
        return None
    return f"{pattern!r} is not a membership; write '<platform>:<kind>:<id>', e.g. '{EXAMPLE}'"


def matches(membership: str, pattern: str) -> bool:
    return fnmatch.fnmatchcase(membership, pattern)


def matches_any(memberships: Iterable[str], patterns: Iterable[str]) -> bool:
    """Whether any membership matches any pattern."""
    listed = tuple(patterns)
    return any(matches(m, p) for m in memberships for p in listed)
