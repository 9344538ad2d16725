"""What the chart mounts is what the bot accepts: the rendered config.yaml
passes the bot's own settings model, and the in-cluster kubeconfig gives the
cluster set one cluster that authenticates from the ServiceAccount token file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings.config import ConfigError, load_config, parse_settings
from tests.deploy.charts import REPO, Helm, named
from tools.kubernetes.clusters import ClusterSet


def _data(manifests: list[dict[str, Any]], suffix: str) -> dict[str, str]:
    configmap = named(manifests, "ConfigMap", suffix)
    assert configmap is not None
    return dict(configmap["data"])


async def test_default_config_is_accepted_by_the_bot_settings_model(helm: Helm) -> None:
    text = _data(await helm.render(), "-chatops")["config.yaml"]
    settings = parse_settings(yaml.safe_load(text), source="chart config.yaml")
    assert settings.server.host == "0.0.0.0"
    assert settings.server.port == 8080
    assert settings.helm.binary == "/usr/local/bin/helm"


async def test_user_config_is_merged_over_the_chart_defaults(helm: Helm) -> None:
    config: dict[str, Any] = {
        "server": {"host": "0.0.0.0", "port": 8080},
        "slack": {"enabled": True, "mode": "http", "slash_command": "/ops"},
        "identities": [
            {"match": {"member": "slack:user:U0123"}, "kubernetes": {"user": "alice", "groups": ["sre"]}}
        ],
        "policy": {
            "roles": {"admin": {"members": ["slack:user:U0123"]}},
            "channels": {"slack:C1": {"mode": "read-only"}},
        },
    }
    text = _data(await helm.render({"config": config}), "-chatops")["config.yaml"]
    rendered = yaml.safe_load(text)
    for section in ("server", "slack", "identities"):
        assert rendered[section] == config[section]
    assert rendered["policy"] == {"default_role": "viewer", **config["policy"]}
    assert rendered["helm"]["binary"] == "/usr/local/bin/helm"
    settings = parse_settings(rendered)
    assert settings.slack.slash_command == "/ops"
    assert settings.identities[0].kubernetes.groups == ("sre",)


async def test_in_cluster_kubeconfig_names_the_cluster_and_holds_only_file_paths(
    helm: Helm, tmp_path: Path
) -> None:
    text = _data(await helm.render({"inCluster": {"name": "home"}}), "-kubeconfig")["config"]
    document = yaml.safe_load(text)
    (user,) = document["users"]
    assert user["user"] == {"tokenFile": "/var/run/secrets/kubernetes.io/serviceaccount/token"}
    (cluster,) = document["clusters"]
    assert cluster["cluster"]["certificate-authority"].startswith("/var/run/secrets/")
    path = tmp_path / "kubeconfig"
    path.write_text(text)
    clusters = ClusterSet.from_default_kubeconfig(path)
    assert clusters.default is not None
    assert clusters.default.name == "home"
    assert clusters.default.default_namespace == "ops"


async def test_in_cluster_kubeconfig_can_be_turned_off(helm: Helm) -> None:
    manifests = await helm.render({"inCluster": {"enabled": False}})
    assert named(manifests, "ConfigMap", "-kubeconfig") is None
    (deployment,) = [m for m in manifests if m["kind"] == "Deployment"]
    env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    assert "KUBECONFIG" not in {e["name"] for e in env}


async def test_the_projects_example_config_renders_unrefused_and_loads(helm: Helm) -> None:
    example = yaml.safe_load((REPO / "config.example.yaml").read_text(encoding="utf-8"))
    text = _data(await helm.render({"config": example}), "-chatops")["config.yaml"]
    rendered = yaml.safe_load(text)
    for section, value in example.items():
        if isinstance(value, dict):
            assert rendered[section].items() >= value.items(), section
        else:
            assert rendered[section] == value, section
    parse_settings(rendered, source="config.example.yaml via the chart")


def _pod_env(manifests: list[dict[str, Any]]) -> tuple[dict[str, str], set[str]]:
    """(plain values, names filled from Secrets) of the bot container's environment."""
    (deployment,) = [m for m in manifests if m["kind"] == "Deployment"]
    env = deployment["spec"]["template"]["spec"]["containers"][0]["env"]
    plain = {e["name"]: e["value"] for e in env if "value" in e}
    from_secrets = {e["name"] for e in env if "secretKeyRef" in e.get("valueFrom", {})}
    return plain, from_secrets


async def test_the_image_s_own_config_passes_the_entrypoint_loader() -> None:
    loaded = load_config(REPO / "deploy" / "docker" / "config.yaml", env={})
    assert loaded.settings.server.host == "0.0.0.0"
    assert loaded.settings.server.replicas == 1


async def test_replicas_load_only_with_the_redis_url_from_the_secret(helm: Helm, tmp_path: Path) -> None:
    manifests = await helm.render({"replicaCount": 3})
    path = tmp_path / "config.yaml"
    path.write_text(_data(manifests, "-chatops")["config.yaml"])
    plain, from_secrets = _pod_env(manifests)
    assert plain["CHATOPS_REPLICAS"] == "3"
    assert {"CHATOPS_REDIS_URL", "CHATOPS_DATABASE_URL"} <= from_secrets
    env = {**plain, "CHATOPS_DATABASE_URL": "postgresql://db/chatops"}
    with pytest.raises(ConfigError, match="CHATOPS_REDIS_URL"):
        load_config(path, env=env)  # the Secret has no CHATOPS_REDIS_URL key: the pod refuses to start
    loaded = load_config(path, env={**env, "CHATOPS_REDIS_URL": "redis://redis:6379/0"})
    assert loaded.settings.server.replicas == 3
    assert loaded.redis_url == "redis://redis:6379/0"


async def test_a_redis_url_with_a_password_is_refused_in_config(helm: Helm) -> None:
    refused = await helm.template_run({"config": {"limits": {"redis_url": "redis://:hunter2@redis:6379/0"}}})
    assert refused.returncode != 0 and "CHATOPS_REDIS_URL" in refused.stderr
    assert "hunter2" not in refused.stderr
    manifests = await helm.render({"config": {"limits": {"redis_url": "redis://redis:6379/0"}}})
    assert "redis://redis:6379/0" in _data(manifests, "-chatops")["config.yaml"]
