"""A Slack person's memberships: their user id, each user group (from `usergroups.list`) and
the workspace, as `slack:<kind>:<id>` strings that policy and identities match."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.slack.adapter import api_base_url
from bot.adapters.slack.directory import Directory
from tests.fake_slack.plugin import fake_slack  # noqa: F401  (a fixture)
from tests.fake_slack.server import BOT_TOKEN, FakeSlack


async def test_groups_and_workspace_become_memberships(fake_slack: FakeSlack) -> None:  # noqa: F811
    directory = Directory(AsyncWebClient(token=BOT_TOKEN, base_url=api_base_url(fake_slack.api_url) or ""))
    dana = await directory.principal(user_id="UDANA", team_id="T0TEAM")
    assert dana.platform == "slack" and dana.display_name == "Dana"
    assert dana.memberships == ("slack:user:UDANA", "slack:group:S0ADMINS", "slack:team:T0TEAM")
    vic = await directory.principal(user_id="UVIC", team_id=None)
    assert vic.memberships == ("slack:user:UVIC",)
