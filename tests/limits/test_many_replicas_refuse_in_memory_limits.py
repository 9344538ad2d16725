"""More than one replica with in-memory limits would multiply every budget: start-up refuses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings.config import ConfigError, load_config


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_two_replicas_without_redis_refuse_to_start_with_a_sentence_naming_the_keys(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as refused:
        load_config(_write(tmp_path, "server: {replicas: 2}\n"), env={})
    text = str(refused.value)
    assert "server.replicas is 2" in text and "limits.redis_url" in text and "allow_per_replica" in text


def test_the_chart_s_replica_count_comes_through_the_environment(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"server\.replicas is 3"):
        load_config(_write(tmp_path, "{}\n"), env={"CHATOPS_REPLICAS": "3"})
    with pytest.raises(ConfigError, match="CHATOPS_REPLICAS must be a whole number"):
        load_config(_write(tmp_path, "{}\n"), env={"CHATOPS_REPLICAS": "three"})


@pytest.mark.parametrize(
    ("document", "env"),
    [
        ("server: {replicas: 2}\nlimits: {redis_url: 'redis://redis:6379/0'}\n", {}),
        ("server: {replicas: 2}\n", {"CHATOPS_REDIS_URL": "redis://:pw@redis:6379/0"}),
        ("server: {replicas: 2}\nlimits: {allow_per_replica: true}\n", {}),
        ("server: {replicas: 1}\n", {}),
    ],
    ids=["redis-in-config", "redis-from-env", "told-otherwise", "one-replica"],
)
def test_shared_limits_or_an_explicit_yes_let_it_start(
    tmp_path: Path, document: str, env: dict[str, str]
) -> None:
    loaded = load_config(_write(tmp_path, document), env=env)
    assert loaded.settings.server.replicas in (1, 2)
