"""The Deployment: probes on the right paths, non-root with a read-only root
filesystem, config from the ConfigMap, and every secret from a Secret reference."""

from __future__ import annotations

from typing import Any

from bot.settings.config import SECRET_VARIABLES
from tests.deploy.charts import Helm, container, of_kind


def _env(manifests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {entry["name"]: entry for entry in container(manifests)["env"]}


def _pod_spec(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    (deployment,) = of_kind(manifests, "Deployment")
    return dict(deployment["spec"]["template"]["spec"])


async def test_liveness_probes_healthz_and_readiness_probes_readyz_on_the_served_port(helm: Helm) -> None:
    manifests = await helm.render({"config": {"server": {"host": "0.0.0.0", "port": 9090}}})
    main = container(manifests)
    assert main["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert main["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert main["ports"] == [{"name": "http", "containerPort": 9090, "protocol": "TCP"}]
    (service,) = of_kind(manifests, "Service")
    assert service["spec"]["ports"][0]["targetPort"] == "http"


async def test_pod_runs_as_non_root_with_a_read_only_root_and_writable_tmp(helm: Helm) -> None:
    manifests = await helm.render()
    pod = _pod_spec(manifests)
    main = container(manifests)
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["runAsUser"] != 0
    assert main["securityContext"]["runAsNonRoot"] is True
    assert main["securityContext"]["readOnlyRootFilesystem"] is True
    assert main["securityContext"]["allowPrivilegeEscalation"] is False
    assert main["securityContext"]["capabilities"]["drop"] == ["ALL"]
    mounts = {m["mountPath"]: m["name"] for m in main["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes[mounts["/tmp"]]["emptyDir"] == {}
    assert main["resources"]["limits"]["memory"]


async def test_schema_refuses_a_writable_root_filesystem(helm: Helm) -> None:
    result = await helm.template_run({"securityContext": {"readOnlyRootFilesystem": False}})
    assert result.returncode != 0
    assert "readOnlyRootFilesystem" in result.stderr


async def test_config_file_is_mounted_from_the_chart_configmap(helm: Helm) -> None:
    manifests = await helm.render()
    main = container(manifests)
    env = _env(manifests)
    assert env["CHATOPS_CONFIG"]["value"] == "/etc/chatops/config.yaml"
    (mount,) = [m for m in main["volumeMounts"] if m["mountPath"] == "/etc/chatops/config.yaml"]
    (volume,) = [v for v in _pod_spec(manifests)["volumes"] if v["name"] == mount["name"]]
    configmaps = {c["metadata"]["name"]: c for c in of_kind(manifests, "ConfigMap")}
    assert "config.yaml" in configmaps[volume["configMap"]["name"]]["data"]


async def test_database_url_comes_from_a_secret_key(helm: Helm) -> None:
    env = _env(await helm.render({"database": {"secretName": "pg-url", "secretKey": "url"}}))
    assert env["CHATOPS_DATABASE_URL"] == {
        "name": "CHATOPS_DATABASE_URL",
        "valueFrom": {"secretKeyRef": {"name": "pg-url", "key": "url", "optional": False}},
    }


async def test_every_secret_the_bot_reads_is_a_secret_reference(helm: Helm) -> None:
    env = _env(await helm.render())
    for name in (*SECRET_VARIABLES, "OPENAI_BASE_URL"):
        assert "value" not in env[name], name
        assert env[name]["valueFrom"]["secretKeyRef"]["name"] == "chatops-secrets"


async def test_sqlite_mode_drops_the_database_secret_and_refuses_several_replicas(helm: Helm) -> None:
    env = _env(await helm.render({"database": {"sqlite": True}}))
    assert "CHATOPS_DATABASE_URL" not in env
    result = await helm.template_run({"database": {"sqlite": True}, "replicaCount": 2})
    assert result.returncode != 0
    assert "SQLite cannot be shared between pods" in result.stderr


async def test_pods_roll_when_the_config_changes(helm: Helm) -> None:
    def checksum(manifests: list[dict[str, Any]]) -> str:
        (deployment,) = of_kind(manifests, "Deployment")
        return str(deployment["spec"]["template"]["metadata"]["annotations"]["checksum/config"])

    before = checksum(await helm.render())
    after = checksum(await helm.render({"config": {"policy": {"default_role": "operator"}}}))
    assert before != after


async def test_chart_lints_strictly_with_defaults_and_with_every_option_on(helm: Helm) -> None:
    assert (await helm.lint()).returncode == 0
    everything = {
        "replicaCount": 2,
        "rbac": {
            "profiles": ["operator", "admin-apply", "helm"],
            "helm": {"namespaces": ["apps"]},
            "impersonation": {"enabled": True, "users": ["alice@example.com"], "groups": ["sre"]},
        },
        "ingress": {"enabled": True, "host": "chatops.example.com", "tlsSecretName": "chatops-tls"},
        "config": {"slack": {"enabled": True, "mode": "http"}},
    }
    result = await helm.lint(everything)
    assert result.returncode == 0, result.stdout + result.stderr


async def test_schema_refuses_a_wrongly_typed_value_with_its_path(helm: Helm) -> None:
    result = await helm.lint({"replicaCount": "two"})
    assert result.returncode != 0
    assert "/replicaCount" in result.stdout + result.stderr
