"""The `prometheus:` section: credentials only from the environment, errors that name the key."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from bot.runtime.check import run_check
from bot.settings.config import ConfigError, load_config
from tests.fake_prometheus.server import FakePrometheus


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return path


def test_credentials_come_from_the_variables_the_config_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "prometheus:\n  endpoints:\n    - {name: main, url: 'https://prom.example:9090', bearer_token_env: PROM_TOKEN,"
        " clusters: ['prod-*']}\n  time_zone: Europe/Berlin\n",
    )
    loaded = load_config(path, env={"PROM_TOKEN": "tok-123456789"})
    settings = loaded.settings.prometheus.to_settings(loaded.secrets.named)
    (endpoint,) = settings.endpoints
    assert endpoint.bearer_token == "tok-123456789" and settings.endpoint_for("prod-eu") is endpoint
    assert settings.endpoint_for("staging") is None and settings.time_zone == "Europe/Berlin"
    assert "tok-123456789" in loaded.secrets.values()  # registered with the redactor at start
    assert "tok-123456789" not in repr(loaded.secrets) and "tok-123456789" not in repr(endpoint)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "prometheus:\n  endpoints:\n    - {name: main, url: 'http://p:9090', bearer_token_env: PROM_TOKEN}\n",
            "prometheus.endpoints.0.bearer_token_env names PROM_TOKEN, which is not set in the environment",
        ),
        ("prometheus:\n  endpoints:\n    - {name: main, url: 'p:9090'}\n", "'prometheus.endpoints.0.url'"),
        ("prometheus:\n  time_zone: Mars/Olympus\n", "'prometheus.time_zone'"),
        (
            "alertmanager:\n  endpoints:\n    - {name: am, url: 'http://a:9093', password_env: AM_PASS, username: u}\n",
            "alertmanager.endpoints.0.password_env names AM_PASS, which is not set in the environment",
        ),
        (
            "prometheus:\n  endpoints:\n    - {name: main, url: 'http://p', token: x}\n",
            "unknown key 'prometheus.endpoints.0.token'",
        ),
    ],
)
def test_a_wrong_prometheus_section_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text), env={})
    assert message in str(error.value)


async def test_check_says_whether_each_endpoint_answers(
    tmp_path: Path, fake_prometheus: FakePrometheus
) -> None:
    path = write(
        tmp_path,
        f"storage: {{url: 'sqlite+aiosqlite:///{tmp_path / 'c.db'}'}}\n"
        f"prometheus:\n  endpoints:\n    - {{name: main, url: '{fake_prometheus.url}', bearer_token_env: PROM_TOKEN}}\n"
        "alertmanager:\n  endpoints:\n    - {name: am, url: 'http://127.0.0.1:9', timeout_s: 2}\n",
    )
    fake_prometheus.token = "right-token-123456"
    out = io.StringIO()
    code = await run_check(load_config(path, env={"PROM_TOKEN": "wrong-token-123456"}), out)
    text = out.getvalue()
    assert "prometheus main: PROBLEM — Prometheus main refused the bot's credentials (HTTP 401)" in text
    assert "alertmanager am: PROBLEM — Alertmanager am at http://127.0.0.1:9 cannot be reached" in text
    assert code == 1 and "wrong-token" not in text
