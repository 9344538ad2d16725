"""`mattermost:` in the config: a missing address or secret stops start-up naming it; `chatops check`
says whether Mattermost is configured; `chatops run` builds the adapter when it is enabled."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.adapters.mattermost import MattermostAdapter
from bot.app import build_app
from bot.runtime.check import CheckLine, check_chat
from bot.runtime.service import build_adapters
from bot.settings.config import ConfigError, LoadedConfig, load_config, parse_settings
from tools.kubernetes.clusters import ClusterSet

ENV = {
    "CHATOPS_MATTERMOST_TOKEN": "value-of-the-bot-token",
    "CHATOPS_MATTERMOST_ACTION_SECRET": "value-of-the-action-secret",
    "CHATOPS_MATTERMOST_SLASH_TOKEN": "value-of-the-slash-token",
}
SECTION = "mattermost: {enabled: true, url: 'https://chat.example', public_url: 'https://bot.example/'}\n"


@pytest.mark.parametrize(
    ("section", "missing", "named"),
    [
        ("mattermost: {enabled: true, public_url: 'https://bot.example'}\n", None, "mattermost.url"),
        ("mattermost: {enabled: true, url: 'https://chat.example'}\n", None, "mattermost.public_url"),
        (SECTION, "CHATOPS_MATTERMOST_TOKEN", "CHATOPS_MATTERMOST_TOKEN"),
        (SECTION, "CHATOPS_MATTERMOST_ACTION_SECRET", "CHATOPS_MATTERMOST_ACTION_SECRET"),
    ],
)
def test_a_missing_setting_stops_start_up_naming_it(
    tmp_path: Path, section: str, missing: str | None, named: str
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(section)
    env = {k: v for k, v in ENV.items() if k != missing}
    with pytest.raises(ConfigError, match=re.escape(named)):
        load_config(path, env=env)


def test_a_url_must_be_http() -> None:
    with pytest.raises(ConfigError, match=r"mattermost\.url"):
        parse_settings({"mattermost": {"url": "chat.example"}})


def check_mattermost(loaded: LoadedConfig) -> CheckLine:
    (line,) = [line for line in check_chat(loaded) if line.part == "mattermost"]
    return line


def test_check_says_whether_it_is_configured(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(SECTION)
    line = check_mattermost(load_config(path, env=ENV))
    assert line.ok and "slash command off" not in line.text and "value-of" not in line.text
    line = check_mattermost(load_config(path, env={}, require_secrets=False))
    assert not line.ok and "CHATOPS_MATTERMOST_TOKEN" in line.text
    assert not check_mattermost(load_config(None, env={})).configured


async def test_run_builds_the_adapter_when_enabled(tmp_path: Path, sqlite_url: str) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(f"storage: {{url: '{sqlite_url}'}}\n" + SECTION)
    loaded: LoadedConfig = load_config(path, env=ENV)
    assert repr(loaded.secrets).count("mattermost") == 3 and "value-of" not in repr(loaded.secrets)
    app = await build_app(loaded, operations=[], clusters=ClusterSet([]))
    try:
        (adapter,) = await build_adapters(app)
        assert isinstance(adapter, MattermostAdapter) and adapter.name == "mattermost"
        assert adapter.surface.platform == "mattermost"
    finally:
        await app.close()
