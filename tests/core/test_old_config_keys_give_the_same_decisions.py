"""Yesterday's platform-named config keys still work, translated in one place
(`bot.settings.legacy`): over a matrix of people, channels and safety levels the old
and the new form of one config decide identically, and loading the old form logs one
deprecation line that names the new form."""

from __future__ import annotations

import itertools
import logging
from typing import Any

import pytest
import yaml

from bot.domain.models import Principal
from bot.gate.identities import IdentityMap
from bot.gate.policy import Policy, Role
from bot.settings.config import ConfigError, Settings, parse_settings
from tools.base import Safety, Target

OLD = """
identities:
  - match: {slack_user: U0ALICE}
    kubernetes: {user: alice@example.com, groups: [sre]}
  - match: {slack_group: S0SRE, discord_role: "222"}
    kubernetes: {user: sre@example.com}
  - match: {discord_user: "900"}
    kubernetes: {user: dora@example.com}
  - match: {console_user: carol}
    kubernetes: {user: carol@example.com}
policy:
  default_role: viewer
  console_default_role: operator
  roles:
    admin:
      console: [root]
      slack_users: [U0ALICE]
      discord_roles: ["111"]
    operator:
      console: ["*"]
      slack_groups: [S0SRE]
      discord_users: ["900"]
      discord_roles: ["222"]
    viewer: {}
  channels:
    C0READ: {mode: read-only}
    slack:C0PARA: {mode: paranoid}
    "333": {mode: suggest-only}
  rules:
    - {safety: destructive, namespace: "kube-*", decision: deny}
"""

NEW = """
identities:
  - match: {member: "slack:user:U0ALICE"}
    kubernetes: {user: alice@example.com, groups: [sre]}
  - match: {member: "slack:group:S0SRE"}
    kubernetes: {user: sre@example.com}
  - match: {member: "discord:role:222"}
    kubernetes: {user: sre@example.com}
  - match: {member: "discord:user:900"}
    kubernetes: {user: dora@example.com}
  - match: {member: "console:user:carol"}
    kubernetes: {user: carol@example.com}
policy:
  default_role: viewer
  console_default_role: operator
  roles:
    admin:
      members: ["console:user:root", "slack:user:U0ALICE", "discord:role:111"]
    operator:
      members: ["console:user:*", "slack:group:S0SRE", "discord:user:900", "discord:role:222"]
    viewer: {}
  channels:
    C0READ: {mode: read-only}
    slack:C0PARA: {mode: paranoid}
    "333": {mode: suggest-only}
  rules:
    - {safety: destructive, namespace: "kube-*", decision: deny}
"""


def slack(user: str, *groups: str) -> Principal:
    return Principal("slack", user, user, (*(f"slack:group:{g}" for g in groups), "slack:team:T0"))


def discord(user: str, *roles: str) -> Principal:
    return Principal("discord", user, user, tuple(f"discord:role:{r}" for r in roles))


PEOPLE = {
    "slack admin": slack("U0ALICE"),
    "slack admin in a group": slack("U0ALICE", "S0SRE"),
    "slack group member": slack("U0BOB", "S0SRE"),
    "slack nobody": slack("U0EVE", "S0OTHER"),
    "slack id that is a discord user id": slack("900"),
    "discord admin role": discord("700", "111"),
    "discord operator user": discord("900"),
    "discord operator role": discord("800", "222", "999"),
    "discord nobody": discord("600", "999"),
    "discord id that is a slack group": discord("S0SRE", "S0SRE"),
    "console root": Principal("console", "root", "root"),
    "console carol": Principal("console", "carol", "carol"),
    "another platform": Principal("teams", "U0ALICE", "x", ("teams:group:S0SRE",)),
}
# What the old code decided for each (the roles above, as they were before memberships).
ROLES = {
    "slack admin": Role.ADMIN,
    "slack admin in a group": Role.ADMIN,
    "slack group member": Role.OPERATOR,
    "slack nobody": Role.VIEWER,
    "slack id that is a discord user id": Role.VIEWER,
    "discord admin role": Role.ADMIN,
    "discord operator user": Role.OPERATOR,
    "discord operator role": Role.OPERATOR,
    "discord nobody": Role.VIEWER,
    "discord id that is a slack group": Role.VIEWER,
    "console root": Role.ADMIN,
    "console carol": Role.OPERATOR,
    "another platform": Role.VIEWER,
}
CHANNELS = ["C0READ", "C0PARA", "333", "elsewhere"]
TARGETS = [Target("prod", "apps"), Target("prod", "kube-system")]


def load(text: str) -> Settings:
    return parse_settings(yaml.safe_load(text), source="config.yaml")


@pytest.fixture(scope="module")
def old_and_new() -> tuple[Settings, Settings]:
    return load(OLD), load(NEW)


def test_the_old_form_is_translated_to_the_new(old_and_new: tuple[Settings, Settings]) -> None:
    old, new = old_and_new
    assert old == new


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_roles_and_identities_are_what_they_were(old_and_new: tuple[Settings, Settings], who: str) -> None:
    person = PEOPLE[who]
    old, new = old_and_new
    assert Policy(old.policy).role_of(person) is Policy(new.policy).role_of(person) is ROLES[who]
    old_identity = IdentityMap(old.identities).kubernetes_identity(person)
    assert old_identity == IdentityMap(new.identities).kubernetes_identity(person)


def test_identities_map_whom_they_mapped(old_and_new: tuple[Settings, Settings]) -> None:
    identities = IdentityMap(old_and_new[0].identities)
    mapped = {who: getattr(identities.kubernetes_identity(p), "user", None) for who, p in PEOPLE.items()}
    assert mapped == {
        **dict.fromkeys(PEOPLE),
        "slack admin": "alice@example.com",
        "slack admin in a group": "alice@example.com",  # the first entry wins
        "slack group member": "sre@example.com",
        "discord operator user": "dora@example.com",
        "discord operator role": "sre@example.com",
        "console carol": "carol@example.com",
    }


@pytest.mark.parametrize("who", sorted(PEOPLE))
def test_every_decision_is_the_same(old_and_new: tuple[Settings, Settings], who: str) -> None:
    person = PEOPLE[who]
    old, new = (Policy(s.policy) for s in old_and_new)
    for channel, safety, target in itertools.product(CHANNELS, Safety, TARGETS):
        assert old.decide(principal=person, channel=channel, safety=safety, target=target) == new.decide(
            principal=person, channel=channel, safety=safety, target=target
        )
    for requester, safety in itertools.product(PEOPLE.values(), Safety):
        ask: dict[str, Any] = {"requester_platform": requester.platform, "requester_id": requester.user_id}
        assert old.check_approver(approver=person, safety=safety, **ask) == new.check_approver(
            approver=person, safety=safety, **ask
        )


def test_the_old_form_logs_one_deprecation_line_naming_the_new(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.settings.legacy"):
        load(OLD)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.settings.legacy"]
    assert "deprecated" in line and "config.yaml" in line
    assert (
        "policy.roles.admin.members: ['console:user:root', 'slack:user:U0ALICE', 'discord:role:111']" in line
    )
    assert "identities.1.match: {member: slack:group:S0SRE}, {member: discord:role:222}" in line
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.settings.legacy"):
        load(NEW)
    assert caplog.records == []


def test_old_ids_are_literal_and_only_the_console_star_means_anyone() -> None:
    settings = parse_settings({"policy": {"roles": {"admin": {"console": ["*"], "slack_users": ["U*"]}}}})
    assert settings.policy.roles["admin"].members == ("console:user:*", "slack:user:U[*]")
    policy = Policy(settings.policy)
    assert policy.role_of(Principal("slack", "U*", "star")) is Role.ADMIN
    assert policy.role_of(Principal("slack", "U1", "one")) is Role.VIEWER


def test_old_and_new_keys_in_one_role_are_merged() -> None:
    settings = parse_settings(
        {"policy": {"roles": {"admin": {"members": ["chat:user:1"], "slack_groups": ["S1"]}}}}
    )
    assert settings.policy.roles["admin"].members == ("chat:user:1", "slack:group:S1")


@pytest.mark.parametrize(
    "document, key",
    [
        ({"policy": {"roles": {"admin": {"slack_users": "U1"}}}}, "policy.roles.admin.slack_users"),
        ({"policy": {"roles": {"admin": {"discord_roles": [111]}}}}, "policy.roles.admin.discord_roles"),
        (
            {"identities": [{"match": {"discord_role": 5}, "kubernetes": {"user": "a"}}]},
            "identities.0.match.discord_role",
        ),
    ],
)
def test_a_wrong_old_value_is_named_in_one_sentence(document: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=rf"'{key}': must be"):
        parse_settings(document)


def test_an_unknown_key_beside_old_ones_is_still_named() -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'identities.0.match.slack_usr'"):
        parse_settings(
            {"identities": [{"match": {"slack_user": "U1", "slack_usr": "U2"}, "kubernetes": {"user": "a"}}]}
        )
