"""Roles, identity mappings and channel rules match membership strings (globs in config only)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.memberships import matches, member, pattern_problem
from bot.domain.models import Principal
from bot.gate.identities import IdentityMap
from bot.gate.policy import ChannelMode, Policy, Role
from bot.settings.config import ConfigError, parse_settings
from tools.base import KubeIdentity

ALICE = Principal("console", "alice", "Alice")
RITA = Principal("chat", "U1", "Rita", memberships=("chat:group:ops", "chat:team:T1"))
VIC = Principal("chat", "U2", "Vic", memberships=("chat:team:T1",))
STAR = Principal("chat", "U*", "Star")  # an id holding a glob character is matched literally


def policy(**section: Any) -> Policy:
    return Policy(parse_settings({"policy": section}).policy)


def test_a_principal_always_carries_its_own_user_membership() -> None:
    assert ALICE.memberships == ("console:user:alice",)
    assert RITA.memberships == ("chat:user:U1", "chat:group:ops", "chat:team:T1")
    filled = Principal("chat", "U1", "Rita", memberships=("chat:user:U1", "chat:group:ops"))
    assert filled.memberships == ("chat:user:U1", "chat:group:ops")
    assert Principal.member("chat", "role", "123") == member("chat", "role", "123") == "chat:role:123"


@pytest.mark.parametrize("platform, kind", [("Chat", "user"), ("chat", "a b"), ("", "user"), ("chat", "")])
def test_member_refuses_what_is_not_a_short_lowercase_name(platform: str, kind: str) -> None:
    with pytest.raises(ValueError):
        member(platform, kind, "U1")


def test_globs_are_in_patterns_never_in_memberships() -> None:
    assert matches("console:user:alice", "console:user:*")
    assert matches("chat:group:ops", "chat:*")
    assert not matches("chat:group:ops", "chat:user:*")
    assert not matches("chat:user:U1", "chat:user:U*x")
    assert matches("chat:user:U*", "chat:user:U*")
    assert not matches("chat:user:U*", "chat:user:U1")


@pytest.mark.parametrize(
    "pattern", ["U0123", "chat:U0123", "*", ":user:x", "chat::x", "chat:user:", "Chat:user:x"]
)
def test_a_pattern_that_is_not_a_membership_is_refused(pattern: str) -> None:
    assert pattern_problem(pattern) is not None


@pytest.mark.parametrize("pattern", ["chat:user:U1", "chat:*", "console:user:*", "chat:role:1?3", "*:user:x"])
def test_membership_patterns(pattern: str) -> None:
    assert pattern_problem(pattern) is None


def test_roles_match_memberships_and_the_highest_role_wins() -> None:
    p = policy(
        roles={
            "admin": {"members": ["chat:group:ops"]},
            "operator": {"members": ["chat:team:T1", "console:user:*"]},
        },
        console_default_role="viewer",
    )
    assert p.role_of(RITA) is Role.ADMIN
    assert p.role_of(VIC) is Role.OPERATOR
    assert p.role_of(ALICE) is Role.OPERATOR
    assert p.role_of(Principal("chat", "U9", "Nobody")) is Role.VIEWER
    assert p.role_of(STAR) is Role.VIEWER


def test_without_a_role_the_defaults_apply() -> None:
    p = policy(roles={"admin": {"members": ["chat:user:U1"]}})
    assert p.role_of(ALICE) is Role.ADMIN  # console_default_role
    assert p.role_of(VIC) is Role.VIEWER  # default_role


def test_identity_mappings_match_memberships_first_match_wins() -> None:
    settings = parse_settings(
        {
            "identities": [
                {"match": {"member": "chat:group:ops"}, "kubernetes": {"user": "rita@example.com"}},
                {"match": {"member": "chat:team:*"}, "kubernetes": {"user": "team", "groups": ["t"]}},
                {"match": {"member": "console:user:alice"}, "kubernetes": {"user": "alice"}},
            ]
        }
    )
    identities = IdentityMap(settings.identities)
    assert identities.kubernetes_identity(RITA) == KubeIdentity(user="rita@example.com", groups=())
    assert identities.kubernetes_identity(VIC) == KubeIdentity(user="team", groups=("t",))
    assert identities.kubernetes_identity(ALICE) == KubeIdentity(user="alice", groups=())
    assert identities.kubernetes_identity(Principal("other", "U1", "x")) is None


def test_channel_keys_own_then_bare_then_glob() -> None:
    p = policy(
        channels={
            "chat:*": {"mode": "suggest-only"},
            "C1": {"mode": "paranoid"},
            "chat:C1": {"mode": "read-only"},
            "other:C2": {"mode": "read-only"},
        }
    )
    assert p.channel_mode(platform="chat", channel="C1") is ChannelMode.READ_ONLY  # its own key
    assert p.channel_mode(platform="other", channel="C1") is ChannelMode.PARANOID  # bare: any platform
    assert p.channel_mode(platform="chat", channel="C9") is ChannelMode.SUGGEST_ONLY  # the glob
    assert p.channel_mode(platform="other", channel="C2") is ChannelMode.READ_ONLY
    assert p.channel_mode(platform="console", channel="C2") is ChannelMode.APPROVE  # nothing matches


@pytest.mark.parametrize(
    "section, key",
    [
        ({"policy": {"roles": {"admin": {"members": ["U0123"]}}}}, "policy.roles.admin.members"),
        (
            {"identities": [{"match": {"member": "alice"}, "kubernetes": {"user": "a"}}]},
            "identities.0.match.member",
        ),
    ],
)
def test_a_bare_id_where_a_membership_belongs_stops_start_up(section: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_settings(section)
    said = str(caught.value)
    assert f"'{key}'" in said and "'<platform>:<kind>:<id>'" in said and "\n" not in said


def test_a_glob_channel_key_without_a_platform_stops_start_up() -> None:
    with pytest.raises(
        ConfigError, match=r"'policy.channels': .*'C\*' is a glob without a platform; write '<platform>:C\*'"
    ):
        parse_settings({"policy": {"channels": {"C*": {"mode": "paranoid"}}}})
