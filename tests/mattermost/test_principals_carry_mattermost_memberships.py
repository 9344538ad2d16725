"""Who clicked or asked is a `Principal` of platform "mattermost" whose memberships are opaque strings:
the user, their system roles, their roles in the configured team, their Mattermost groups. A server
without groups is asked once; a user Mattermost cannot find still gets a principal with no roles."""

from __future__ import annotations

from bot.adapters.mattermost.api import MattermostApi
from bot.adapters.mattermost.directory import Directory, memberships
from tests.fake_mattermost.plugin import ALICE, BOB, OLGA
from tests.fake_mattermost.server import BOT_TOKEN, TEAM_ID, TEAM_NAME, FakeMattermost
from tests.fake_mattermost.wire import mm_id


async def test_memberships_name_user_roles_team_roles_and_groups(fake_mattermost: FakeMattermost) -> None:
    api = MattermostApi(base_url=fake_mattermost.base_url, token=BOT_TOKEN)
    try:
        directory = Directory(api, team=TEAM_NAME)
        olga = await directory.principal(OLGA.id)
        bob = await directory.principal(BOB.id)
        again = await directory.principal(OLGA.id)
    finally:
        await api.close()
    assert (olga.platform, olga.user_id, olga.display_name, olga.team) == (
        "mattermost",
        OLGA.id,
        "Olga",
        TEAM_ID,
    )
    assert olga.memberships == (
        f"mattermost:user:{OLGA.id}",
        "mattermost:role:system_user",
        "mattermost:team_role:team_admin",
        "mattermost:team_role:team_user",
        "mattermost:group:sre",
    )
    assert "mattermost:role:system_admin" in bob.memberships and again == olga
    assert len(fake_mattermost.calls("GET", f"/users/{OLGA.id}")) == 2  # the user and their groups, once
    assert len(fake_mattermost.calls("GET", "/teams/name/")) == 1


async def test_without_groups_or_a_team_only_user_and_roles_count(fake_mattermost: FakeMattermost) -> None:
    fake_mattermost.groups = None  # Team Edition: 501
    api = MattermostApi(base_url=fake_mattermost.base_url, token=BOT_TOKEN)
    try:
        directory = Directory(api, team=None)
        alice = await directory.principal(ALICE.id)
        await directory.principal(BOB.id)
        stranger = await directory.principal(mm_id("stranger"), fallback_name="stranger")
    finally:
        await api.close()
    assert alice.memberships == (f"mattermost:user:{ALICE.id}", "mattermost:role:system_user")
    assert len([r for r in fake_mattermost.requests if r.path.endswith("/groups")]) == 1
    assert (
        stranger.memberships == (f"mattermost:user:{mm_id('stranger')}",)
        and stranger.display_name == "stranger"
    )


def test_membership_strings_are_made_in_one_place() -> None:
    assert memberships(user_id="u1", system_roles=["a", ""], team_roles=["b"], groups=["g"]) == (
        "mattermost:user:u1",
        "mattermost:role:a",
        "mattermost:team_role:b",
        "mattermost:group:g",
    )
