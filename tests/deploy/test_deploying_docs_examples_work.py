"""The worked example in docs/deploying.md installs: its values file passes the
chart's schema and lint, and the config in it is accepted by the bot."""

from __future__ import annotations

import re
from typing import Any

import yaml

from bot.settings.config import parse_settings
from tests.deploy.charts import CHART, REPO, Helm, container, named

DOC = REPO / "docs" / "deploying.md"


def _fenced(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)


def _values_example() -> dict[str, Any]:
    (block,) = [b for b in _fenced("yaml") if b.startswith("# values-prod.yaml")]
    values = yaml.safe_load(block)
    assert isinstance(values, dict)
    return values


async def test_worked_values_example_lints_and_renders(helm: Helm) -> None:
    values = _values_example()
    lint = await helm.lint(values)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    manifests = await helm.render(values)
    impersonate = named(manifests, "ClusterRole", "-impersonate")
    assert impersonate is not None
    assert container(manifests)["image"] == "registry.example.com/chatops:0.1.0"


async def test_worked_values_example_config_is_accepted_by_the_bot() -> None:
    settings = parse_settings(_values_example()["config"], source="docs/deploying.md")
    assert settings.slack.enabled
    mapped = {entry.kubernetes.user for entry in settings.identities}
    impersonation = _values_example()["rbac"]["impersonation"]
    assert mapped <= set(impersonation["users"])
    assert {g for e in settings.identities for g in e.kubernetes.groups} <= set(impersonation["groups"])


async def test_install_command_uses_the_chart_path_and_the_example_file() -> None:
    commands = [line for block in _fenced("sh") for line in block.splitlines() if "helm install" in line]
    assert commands
    for command in commands:
        assert str(CHART.relative_to(REPO)) in command.split()
        assert "values-prod.yaml" in command


async def test_the_discord_invite_url_asks_for_bot_and_application_commands() -> None:
    (url,) = [line.strip() for block in _fenced("text") for line in block.splitlines() if "oauth2" in line]
    assert "scope=bot%20applications.commands" in url
    found = re.search(r"permissions=(\d+)", url)
    assert found is not None
    permissions = int(found.group(1))
    view_send_history = (1 << 10) | (1 << 11) | (1 << 16)
    assert permissions & view_send_history == view_send_history
    administrator = 1 << 3
    assert not permissions & administrator
