"""A Discord person's memberships: their user id and each role id in the guild, as
`discord:<kind>:<id>` strings that policy and identities match."""

from __future__ import annotations

from bot.adapters.discord.convert import to_memberships


def test_user_and_roles_become_memberships() -> None:
    assert to_memberships("100", role_ids=("111", "222")) == (
        "discord:user:100",
        "discord:role:111",
        "discord:role:222",
    )
    assert to_memberships("100", role_ids=()) == ("discord:user:100",)
