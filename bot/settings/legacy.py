"""Old, platform-named forms → membership strings: the one place they are translated.

Before memberships, the config named each platform's ids in its own key, and
approval rows stored a requester's groups as bare ids. Both still work:

| old form | new form |
|---|---|
| `policy.roles.R.console: [alice]` (`"*"`: anyone) | `policy.roles.R.members: ["console:user:alice"]` (`"console:user:*"`) |
| `policy.roles.R.slack_users: [U1]` | `members: ["slack:user:U1"]` |
| `policy.roles.R.slack_groups: [S1]` | `members: ["slack:group:S1"]` |
| `policy.roles.R.discord_users: [1]` | `members: ["discord:user:1"]` |
| `policy.roles.R.discord_roles: [2]` | `members: ["discord:role:2"]` |
| `identities[].match: {slack_user: U1}` (also `slack_group`, `discord_user`, `discord_role`, `console_user`) | `identities[].match: {member: "slack:user:U1"}` |
| an approval row's `requester_groups: [S1]` (Slack) / `[2]` (Discord) | `slack:group:S1` / `discord:role:2` |

`translate_document` rewrites the raw YAML document before it is validated, so
the settings models know only the new form; it logs one deprecation line that
names the new form. An identity match with several old keys becomes one entry
per key, in the same order (the first match still wins). Old ids are matched
literally: glob characters in them are escaped, and only the console's `"*"`
meant "anyone". This module decides nothing; it only rewrites.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.memberships import member
from bot.settings.errors import ConfigError

log = logging.getLogger(__name__)

# Old role key → (platform, kind) of the membership it listed.
ROLE_KEYS: Mapping[str, tuple[str, str]] = {
    "console": ("console", "user"),
    "slack_users": ("slack", "user"),
    "slack_groups": ("slack", "group"),
    "discord_users": ("discord", "user"),
    "discord_roles": ("discord", "role"),
}
# Old identity match key → (platform, kind).
MATCH_KEYS: Mapping[str, tuple[str, str]] = {
    "slack_user": ("slack", "user"),
    "slack_group": ("slack", "group"),
    "discord_user": ("discord", "user"),
    "discord_role": ("discord", "role"),
    "console_user": ("console", "user"),
}
# What a bare id in an old approval row's requester_groups was, by platform.
STORED_GROUP_KIND: Mapping[str, str] = {"slack": "group", "discord": "role"}

_GLOB = re.compile(r"([*?\[])")


def _literal(platform: str, kind: str, ident: str) -> str:
    if platform == "console" and kind == "user" and ident == "*":
        return "console:user:*"
    return member(platform, kind, _GLOB.sub(r"[\1]", ident))


def _ids(value: object, *, source: str, path: str) -> list[str]:
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(
            f"{source}: '{path}': must be a list of ids as quoted strings (better: list them in "
            f"'members' as '<platform>:<kind>:<id>')"
        )
    return list(value)


def _translate_roles(roles: dict[str, Any], *, source: str, said: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for role, members in roles.items():
        if not isinstance(members, dict) or not set(members) & set(ROLE_KEYS):
            out[role] = members
            continue
        rest = {k: v for k, v in members.items() if k not in ROLE_KEYS}
        listed = _ids(rest.pop("members", []), source=source, path=f"policy.roles.{role}.members")
        for key, (platform, kind) in ROLE_KEYS.items():
            if key in members and members[key] is not None:
                ids = _ids(members[key], source=source, path=f"policy.roles.{role}.{key}")
                listed += [_literal(platform, kind, i) for i in ids]
        out[role] = {**rest, "members": listed}
        old = "/".join(k for k in ROLE_KEYS if k in members)
        said.append(f"policy.roles.{role}.members: {listed} instead of {old}")
    return out


def _translate_identities(entries: list[Any], *, source: str, said: list[str]) -> list[Any]:
    out: list[Any] = []
    for n, entry in enumerate(entries):
        match = entry.get("match") if isinstance(entry, dict) else None
        if not isinstance(match, dict) or not set(match) & set(MATCH_KEYS):
            out.append(entry)
            continue
        # Keys that are neither old nor new ride along, so validation names them.
        unknown = {k: v for k, v in match.items() if k not in MATCH_KEYS and k != "member"}
        patterns = [match["member"]] if match.get("member") is not None else []
        for key, (platform, kind) in MATCH_KEYS.items():
            value = match.get(key)
            if value is None:
                continue
            if not isinstance(value, str) or not value:
                raise ConfigError(f"{source}: 'identities.{n}.match.{key}': must be an id as a quoted string")
            patterns.append(_literal(platform, kind, value))
        out += [{**entry, "match": {"member": p, **unknown}} for p in patterns]
        old = "/".join(k for k in MATCH_KEYS if k in match)
        said.append(
            f"identities.{n}.match: " + ", ".join(f"{{member: {p}}}" for p in patterns) + f" instead of {old}"
        )
    return out


def translate_document(document: dict[str, Any], *, source: str = "config") -> dict[str, Any]:
    """The document with old role and identity keys rewritten as memberships (logged once)."""
    said: list[str] = []
    result = dict(document)
    policy = result.get("policy")
    if isinstance(policy, dict) and isinstance(policy.get("roles"), dict):
        result["policy"] = {**policy, "roles": _translate_roles(policy["roles"], source=source, said=said)}
    if isinstance(result.get("identities"), list):
        result["identities"] = _translate_identities(result["identities"], source=source, said=said)
    if said:
        log.warning(
            "%s uses deprecated platform keys (they still work); write %s (see config.example.yaml)",
            source,
            "; ".join(said),
        )
    return result


def qualify_stored_groups(platform: str, groups: Sequence[str]) -> tuple[str, ...]:
    """An approval row's requester groups as memberships: rows filed before memberships hold
    bare ids (no ':'), which meant a group on Slack and a role on Discord; newer rows hold
    membership strings, kept as they are. A bare id of any other platform is dropped: it can
    only lower what the requester may do."""
    kind = STORED_GROUP_KIND.get(platform)
    out: list[str] = []
    for group in groups:
        if ":" in group:
            out.append(group)
        elif kind is not None and group:
            out.append(member(platform, kind, group))
    return tuple(out)
