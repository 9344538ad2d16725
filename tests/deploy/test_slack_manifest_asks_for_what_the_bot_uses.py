"""The Slack app manifest in docs/ asks for exactly the scopes and events the
bot uses, wires the slash command the bot answers, and turns interactivity on."""

from __future__ import annotations

from typing import Any

import yaml

from bot.settings.platforms import SlackSettings
from tests.deploy.charts import REPO

EXPECTED_SCOPES = {
    "app_mentions:read",
    "chat:write",
    "im:history",
    "im:read",
    "im:write",
    "files:write",
    "reactions:write",
    "commands",
    "users:read",
    "usergroups:read",
}


def _manifest() -> dict[str, Any]:
    document = yaml.safe_load((REPO / "docs" / "slack-app-manifest.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


async def test_bot_scopes_are_exactly_the_ones_used_and_not_chat_write_public() -> None:
    scopes = _manifest()["oauth_config"]["scopes"]["bot"]
    assert len(scopes) == len(set(scopes))
    assert set(scopes) == EXPECTED_SCOPES
    assert "user" not in _manifest()["oauth_config"]["scopes"]


async def test_events_are_mentions_and_direct_messages() -> None:
    settings = _manifest()["settings"]
    assert settings["event_subscriptions"]["bot_events"] == ["app_mention", "message.im"]
    assert settings["interactivity"]["is_enabled"] is True


async def test_slash_command_is_the_one_the_bot_answers_by_default() -> None:
    (command,) = _manifest()["features"]["slash_commands"]
    assert command["command"] == SlackSettings().slash_command


async def test_socket_mode_is_the_default_so_no_public_url_is_needed() -> None:
    manifest = _manifest()
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert SlackSettings().mode == "socket"
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
