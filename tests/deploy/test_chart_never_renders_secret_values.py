"""No secret value can reach a rendered manifest: the chart only references
Secrets, and refuses values that would put one in plain text."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.deploy.charts import Helm

# Shapes of the real secrets: Slack bot/app/user tokens, OpenAI keys, URLs with a password.
SECRET_SHAPES = re.compile(r"xox[abpr]-|xapp-|\bsk-[A-Za-z0-9]|://[^/\s:@]+:[^/\s@]+@")
EVERYTHING_ON: dict[str, Any] = {
    "rbac": {
        "profiles": ["operator", "admin-apply", "helm"],
        "helm": {"namespaces": ["apps"]},
        "impersonation": {"enabled": True, "users": ["alice"], "groups": ["sre"]},
    },
    "ingress": {"enabled": True},
    "config": {"slack": {"enabled": True, "mode": "http"}, "discord": {"enabled": True}},
    "extraEnv": [{"name": "LOG_LEVEL", "value": "debug"}],
}


@pytest.mark.parametrize("values", [{}, EVERYTHING_ON], ids=["defaults", "everything-on"])
async def test_no_secret_object_and_no_secret_shaped_text_is_rendered(
    helm: Helm, values: dict[str, Any]
) -> None:
    result = await helm.template_run(values)
    assert result.returncode == 0, result.stderr
    assert "kind: Secret\n" not in result.stdout
    assert SECRET_SHAPES.findall(result.stdout) == []


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"slack": {"bot_token": "xoxb-1-2-3"}}, "config.slack.bot_token"),
        ({"llm": {"api_key": "sk-abc"}}, "config.llm.api_key"),
        ({"webhooks": [{"url": "https://hooks.example", "secret": "s3cret"}]}, "config.webhooks[0].secret"),
        ({"storage": {"password": "hunter2"}}, "config.storage.password"),
    ],
)
async def test_secret_looking_config_keys_are_refused_with_the_key_named(
    helm: Helm, config: dict[str, Any], named: str
) -> None:
    result = await helm.template_run({"config": config})
    assert result.returncode != 0
    assert f"{named} looks like a secret" in result.stderr
    assert "Traceback" not in result.stderr


async def test_token_budget_keys_are_not_mistaken_for_secrets(helm: Helm) -> None:
    config = {"tools": {"output_budget_tokens": 3000}, "llm": {"max_input_tokens": 8000}}
    result = await helm.template_run({"config": config})
    assert result.returncode == 0, result.stderr


async def test_database_url_with_a_password_in_config_is_refused(helm: Helm) -> None:
    result = await helm.template_run(
        {"config": {"storage": {"url": "postgresql+asyncpg://bot:pw@db/chatops"}}}
    )
    assert result.returncode != 0
    assert "config.storage.url contains a password" in result.stderr
    assert "pw@" not in result.stderr


async def test_a_token_passed_as_a_plain_extra_env_value_is_refused(helm: Helm) -> None:
    result = await helm.template_run({"extraEnv": [{"name": "SLACK_BOT_TOKEN", "value": "xoxb-1-2-3"}]})
    assert result.returncode != 0
    assert "extraEnv sets SLACK_BOT_TOKEN as a plain value" in result.stderr
    assert "xoxb-1-2-3" not in result.stderr
