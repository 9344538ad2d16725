"""A wrong config stops start-up with one line naming the key path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings.config import ConfigError, load_config


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_defaults_without_a_file() -> None:
    loaded = load_config(None, env={})
    assert loaded.database_url == "sqlite+aiosqlite:///./chatops.db"
    assert loaded.settings.llm.model is None
    assert loaded.settings.policy.console_default_role == "admin"


def test_unknown_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown key 'policy.approvals.expiry_minute'"):
        load_config(write(tmp_path, "policy:\n  approvals:\n    expiry_minute: 5\n"), env={})


def test_wrong_type_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"'server.port': .*integer.*'eighty'"):
        load_config(write(tmp_path, "server:\n  port: eighty\n"), env={})


def test_missing_required_secret_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        load_config(write(tmp_path, "slack:\n  enabled: true\n"), env={})


def test_allow_rule_for_writes_is_refused(tmp_path: Path) -> None:
    text = "policy:\n  rules:\n    - {safety: write, decision: allow}\n"
    with pytest.raises(ConfigError, match="writes always need an approval"):
        load_config(write(tmp_path, text), env={})


def test_env_overrides_and_secrets_are_never_shown(tmp_path: Path) -> None:
    env = {
        "CHATOPS_DATABASE_URL": "postgresql+asyncpg://u:pw@db/x",
        "OPENAI_API_KEY": "sk-verysecretvalue123",
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
        "CHATOPS_CONFIG": str(write(tmp_path, "{}\n")),
    }
    loaded = load_config(None, env=env)
    assert loaded.database_url == "postgresql+asyncpg://u:pw@db/x"
    assert loaded.settings.llm.base_url == "http://127.0.0.1:9/v1"
    assert "sk-verysecretvalue123" not in repr(loaded.secrets)


def test_the_example_config_is_valid_and_in_the_new_form(caplog: pytest.LogCaptureFixture) -> None:
    example = Path(__file__).parents[2] / "config.example.yaml"
    loaded = load_config(example, env={}, require_secrets=False)
    assert loaded.settings.policy.approvals.expiry_minutes == 15
    assert not [r for r in caplog.records if r.name == "bot.settings.legacy"]  # no deprecated keys
